Attribute VB_Name = "KamErrors"
' kamxl add-in: real Excel errors from the KAM_* functions (xlwings alone cannot: its issue 776).
' A KAM_* function that fails returns text such as "#VALUE! 'maybe' is not a yes/no value [M-SCORE-3]"
' (kamxl/cells.py). The wrappers in KamFunctions pass every result through KamResult, which turns
' such text into the native error - in every cell of an array - and remembers the reason for
' =KAM_WHY(cell). Reasons live in memory: after reopening a workbook, recalculate to see them again.
Option Explicit

Private reasons As Object   ' address of a formula's cell -> its reason, or a 2-D array of reasons
Private lastFailure As String   ' the last call that failed before Python, for the About and Settings buttons

' The Excel error number (xlErrValue...) of text in the convention, 0 for anything else.
Public Function KamErrorNumber(ByVal result As Variant) As Long
    Dim code As String, gap As Long
    If VarType(result) <> vbString Then Exit Function
    If Left$(result, 1) <> "#" Then Exit Function
    gap = InStr(result, " ")
    If gap = 0 Then code = result Else code = Left$(result, gap - 1)
    Select Case code
        Case "#NULL!": KamErrorNumber = 2000
        Case "#DIV/0!": KamErrorNumber = 2007
        Case "#VALUE!": KamErrorNumber = 2015
        Case "#REF!": KamErrorNumber = 2023
        Case "#NAME?": KamErrorNumber = 2029
        Case "#NUM!": KamErrorNumber = 2036
        Case "#N/A": KamErrorNumber = 2042
        Case "#GETTING_DATA": KamErrorNumber = 2043
        Case "#SPILL!": KamErrorNumber = 2045
        Case "#CONNECT!": KamErrorNumber = 2046
        Case "#BLOCKED!": KamErrorNumber = 2047
        Case "#UNKNOWN!": KamErrorNumber = 2048
        Case "#FIELD!": KamErrorNumber = 2049
        Case "#CALC!": KamErrorNumber = 2050
    End Select
End Function

' A wrapper's result when its call failed before reaching Python (xlwings' "Could not load
' xlwings64-....dll", "Could not find Interpreter!"...): #VALUE!, which ISERROR sees, where xlwings
' shows its message as text. The message stays visible: =KAM_WHY(cell), the About and Settings
' buttons (KamLastFailure) and the VBA editor's Immediate window.
Public Function KamFailed(ByVal message As String, ByVal caller As Variant) As Variant
    KamFailed = CVErr(2015)   ' xlErrValue
    lastFailure = message
    On Error Resume Next
    Debug.Print "kamxl: " & message
    KamRemember caller, message
End Function

' The message of the last call that failed before Python; "" when there was none.
Public Function KamLastFailure() As String
    KamLastFailure = lastFailure
End Function

' The reason part of text in the convention: what follows the error code.
Private Function KamReason(ByVal result As String) As String
    Dim gap As Long
    gap = InStr(result, " ")
    If gap > 0 Then KamReason = Mid$(result, gap + 1)
End Function

' A result for a cell: the convention's error texts as native errors, the rest unchanged.
Public Function KamResult(ByVal result As Variant, ByVal caller As Variant) As Variant
    Dim values As Variant, why As Variant, r As Long, c As Long, number As Long, found As Boolean
    If Not IsArray(result) Then
        number = KamErrorNumber(result)
        If number = 0 Then
            KamForget caller
            KamResult = result
        Else
            KamRemember caller, KamReason(CStr(result))
            KamResult = CVErr(number)
        End If
        Exit Function
    End If
    If KamRank(result) = 1 Then
        values = KamAsRow(result)
    Else
        values = result
    End If
    ReDim why(LBound(values, 1) To UBound(values, 1), LBound(values, 2) To UBound(values, 2))
    For r = LBound(values, 1) To UBound(values, 1)
        For c = LBound(values, 2) To UBound(values, 2)
            number = KamErrorNumber(values(r, c))
            If number <> 0 Then
                why(r, c) = KamReason(CStr(values(r, c)))
                values(r, c) = CVErr(number)
                found = True
            End If
        Next c
    Next r
    If found Then
        KamRemember caller, why
    Else
        KamForget caller
    End If
    KamResult = values
End Function

' The reason remembered for a cell (a Range), if any.
Public Function KamReasonOf(ByVal target As Variant, ByRef reason As Variant) As Boolean
    Dim cell As Range, anchor As Range, stored As Variant, key As String, r As Long, c As Long
    If reasons Is Nothing Then Exit Function
    If TypeName(target) <> "Range" Then Exit Function
    Set cell = target.Cells(1, 1)
    Set anchor = cell
    On Error Resume Next
    If cell.HasArray Then Set anchor = cell.CurrentArray.Cells(1, 1)  ' a legacy array formula
    ' A spilled dynamic array. Range.SpillParent exists only in Excel with dynamic arrays: asked by
    ' name (late-bound), so the module still compiles in Excel 2016/2019, where the call fails and
    ' the error is ignored here.
    Set anchor = CallByName(cell, "SpillParent", VbGet)
    On Error GoTo 0
    key = anchor.Address(External:=True)
    If Not reasons.Exists(key) Then Exit Function
    stored = reasons.Item(key)
    If IsArray(stored) Then
        r = LBound(stored, 1) + cell.Row - anchor.Row
        c = LBound(stored, 2) + cell.Column - anchor.Column
        If r > UBound(stored, 1) Or c > UBound(stored, 2) Then Exit Function
        If IsEmpty(stored(r, c)) Then Exit Function
        reason = stored(r, c)
    Else
        If cell.Row <> anchor.Row Or cell.Column <> anchor.Column Then Exit Function
        reason = stored
    End If
    KamReasonOf = True
End Function

Private Sub KamRemember(ByVal caller As Variant, ByVal why As Variant)
    If TypeName(caller) <> "Range" Then Exit Sub
    If reasons Is Nothing Then Set reasons = KamNewDict()
    reasons.Item(caller.Cells(1, 1).Address(External:=True)) = why
End Sub

Private Sub KamForget(ByVal caller As Variant)
    Dim key As String
    If reasons Is Nothing Then Exit Sub
    If TypeName(caller) <> "Range" Then Exit Sub
    key = caller.Cells(1, 1).Address(External:=True)
    If reasons.Exists(key) Then reasons.Remove key
End Sub

Private Function KamRank(ByVal values As Variant) As Long
    Dim upper As Long
    On Error GoTo done
    upper = UBound(values, 2)
    KamRank = 2
    Exit Function
done:
    KamRank = 1
End Function

Private Function KamAsRow(ByVal values As Variant) As Variant
    Dim row As Variant, c As Long
    ReDim row(0 To 0, LBound(values) To UBound(values))
    For c = LBound(values) To UBound(values)
        row(0, c) = values(c)
    Next c
    KamAsRow = row
End Function
