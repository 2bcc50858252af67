' kamxl add-in: the code of the ThisWorkbook document module.
Option Explicit

Private Sub Workbook_Open()
    ' The function wizard's descriptions and category of the KAM_* functions (module KamFunctions).
    KamRegisterFunctions
End Sub
