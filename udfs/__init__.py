"""xlwings worksheet-function modules: ``udfs.kam`` re-exports :mod:`kamxl.excel.udfs`,
the module the kamxl add-in's *UDF Modules* names."""
