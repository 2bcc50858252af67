"""xlwings worksheet-function modules. Set xlwings' "UDF Modules" to ``udfs.kam``."""
