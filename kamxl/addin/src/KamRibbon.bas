Attribute VB_Name = "KamRibbon"
' kamxl add-in: the KAM ribbon tab's callbacks (customUI.xml).
' One callback for every button. The button's Tag must be one KamNeeds knows (generated from the
' fixed table BUTTONS in kamxl/excel/macros.py, module KamTags); anything else is ignored. Python
' gets the Tag, the path prepared here (hex-encoded: no character of a path can end the string)
' and the language - never text from a workbook.
Option Explicit

Public Sub OnAction(control As IRibbonControl)
    Dim tag As String, need As String, arg As String
    tag = control.Tag
    need = KamNeeds(tag)
    If need = "?" Then Exit Sub
    If need = "folder" Then
        arg = KamPickFolder(KamText("label." & tag))
        If arg = "" Then Exit Sub
    ElseIf need = "workbook" Then
        arg = KamCopyOfActiveWorkbook()
        If arg = "" Then Exit Sub
    End If
    If (tag = "about" Or tag = "settings") And KamLastFailure() <> "" Then   ' Python may not start for these either
        MsgBox KamText("error.python") & vbCrLf & KamLastFailure(), vbExclamation, "kamxl"
    End If
    If ActiveWorkbook Is Nothing Then Workbooks.Add   ' RunPython hands Python the active workbook
    RunPython "import kamxl.excel.macros as m; m.run('" & tag & "', '" & KamHex(arg) & "', '" & KamLang() & "')"
End Sub

Public Sub GetLabel(control As IRibbonControl, ByRef returnedVal)
    returnedVal = KamText("label." & control.ID)
End Sub

Public Sub GetSupertip(control As IRibbonControl, ByRef returnedVal)
    returnedVal = KamText("tip." & control.ID)
End Sub

' A folder the user picks; "" when cancelled. Excel for Mac has no FileDialog: there AppleScript's
' choose folder, through kamxl.applescript (installed by `kamxl addin install`, as xlwings' RunPython
' uses its own AppleScript).
Private Function KamPickFolder(ByVal title As String) As String
    On Error GoTo failed
    #If Mac Then
        KamPickFolder = AppleScriptTask("kamxl.applescript", "KamChooseFolder", title)
    #Else
        Dim dialog As Object
        Set dialog = Application.FileDialog(4)   ' msoFileDialogFolderPicker
        dialog.Title = title
        dialog.AllowMultiSelect = False
        If dialog.Show = -1 Then KamPickFolder = dialog.SelectedItems(1)
    #End If
    Exit Function
failed:
    #If Mac Then
        MsgBox KamText("error.folder") & vbCrLf & KamText("error.folder_mac") & vbCrLf & Err.Description, _
            vbExclamation, "kamxl"
    #Else
        MsgBox KamText("error.folder") & vbCrLf & Err.Description, vbExclamation, "kamxl"
    #End If
End Function

' A copy of the active workbook as it is now, saved or not, in the temporary folder; the
' workbook itself is not touched (SaveCopyAs). Python validates the copy and deletes it.
Private Function KamCopyOfActiveWorkbook() As String
    Dim book As Workbook, name As String, folder As String, target As String
    If ActiveWorkbook Is Nothing Then
        MsgBox KamText("error.no_workbook"), vbExclamation, "kamxl"
        Exit Function
    End If
    Set book = ActiveWorkbook
    name = book.Name
    If InStr(name, ".") = 0 Then name = name & ".xlsx"
    #If Mac Then
        folder = Environ$("TMPDIR")
    #Else
        folder = Environ$("TEMP")
    #End If
    If Right$(folder, 1) <> Application.PathSeparator Then folder = folder & Application.PathSeparator
    target = folder & "kamxl-snapshot-" & Format$(Now, "yyyymmdd-hhnnss") & "-" & name
    On Error GoTo failed
    book.SaveCopyAs target
    KamCopyOfActiveWorkbook = target
    Exit Function
failed:
    MsgBox KamText("error.copy") & vbCrLf & Err.Description, vbExclamation, "kamxl"
End Function

' Text as 4 hex digits per UTF-16 unit (kamxl.excel.macros.decode_arg reads it back).
Public Function KamHex(ByVal text As String) As String
    Dim i As Long, out As String
    For i = 1 To Len(text)
        out = out & Right$("000" & Hex$(AscW(Mid$(text, i, 1)) And &HFFFF&), 4)
    Next i
    KamHex = out
End Function
