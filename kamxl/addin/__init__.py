"""The kamxl Excel add-in: built from text sources (:mod:`kamxl.addin.build`), its
generated VBA (:mod:`kamxl.addin.vba`) and its installation (:mod:`kamxl.addin.install`).
Nothing here imports xlwings: the template is found in the xlwings package's folder."""
