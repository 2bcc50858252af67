-- kamxl add-in: what Excel for Mac's VBA cannot do itself, called with AppleScriptTask (Office 2016
-- and later for Mac run only scripts in ~/Library/Application Scripts/com.microsoft.Excel, where
-- `kamxl addin install` puts this file beside xlwings' own AppleScript).

-- A folder the user picks, as a POSIX path ending in "/"; "" when cancelled (KamRibbon.KamPickFolder).
on KamChooseFolder(prompt)
	try
		return POSIX path of (choose folder with prompt prompt)
	on error number -128
		return ""
	end try
end KamChooseFolder
