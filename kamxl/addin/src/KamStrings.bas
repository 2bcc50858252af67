Attribute VB_Name = "KamStrings"
' kamxl add-in: bilingual text for the ribbon, the function wizard and VBA's own messages.
' The texts are cells of the add-in's kamxl.conf sheet (columns D:F: key, zh, en), written by
' `kamxl addin build` from the Python tables (kamxl/excel/macros.py, udfs/kam.py). VBA source
' is stored in code page 1252, which cannot hold Chinese, so this project's code stays ASCII.
Option Explicit

Private texts As Object

' "zh" or "en": KAMXL_LANG when set, else the language of Office's user interface.
Public Function KamLang() As String
    Dim setting As String
    setting = LCase$(Left$(Environ$("KAMXL_LANG"), 2))
    If setting = "zh" Or setting = "en" Then
        KamLang = setting
        Exit Function
    End If
    KamLang = "en"
    On Error Resume Next
    Select Case Application.LanguageSettings.LanguageID(2)  ' msoLanguageIDUI
        Case 2052, 1028, 3076, 4100, 5124                    ' zh-CN, zh-TW, zh-HK, zh-SG, zh-MO
            KamLang = "zh"
    End Select
End Function

' A dictionary on Windows and on the Mac (xlwings ships VBA-Dictionary for the Mac).
Public Function KamNewDict() As Object
    #If Mac Then
        Set KamNewDict = New Dictionary
    #Else
        Set KamNewDict = CreateObject("Scripting.Dictionary")
    #End If
End Function

' The text of key in the user's language; the key itself when there is none.
Public Function KamText(ByVal key As String) As String
    Dim table As Variant, pair As Variant, r As Long
    If texts Is Nothing Then
        Set texts = KamNewDict()
        table = ThisWorkbook.Worksheets(PROJECT_NAME & ".conf").Range("D1").CurrentRegion.Value
        For r = LBound(table, 1) + 1 To UBound(table, 1)
            texts.Add CStr(table(r, 1)), Array(CStr(table(r, 2)), CStr(table(r, 3)))
        Next r
    End If
    If Not texts.Exists(key) Then
        KamText = key
        Exit Function
    End If
    pair = texts.Item(key)
    If KamLang() = "zh" Then KamText = pair(0) Else KamText = pair(1)
End Function
