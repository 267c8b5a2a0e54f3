"""File formats of skeleton data: one parser per format, numpy and the standard library only.

Used by inference (:mod:`sfhead_mm.apis.readers`) and by the converters (``data_prep``,
installed as ``sfhead_mm.data_prep``), so a file gives the same arrays in both. Nothing here
imports torch, mmengine or MMAction2, not even indirectly: importing ``sfhead_mm.formats`` costs
numpy's import and no more.

* :mod:`.errors`      -- :class:`FormatError` (one line; ``.record`` = file, line, message)
* :mod:`.ntu`         -- NTU RGB+D ``.skeleton`` text (byte-exact fast parser), txt2npy dicts,
  sample names
* :mod:`.ntu_denoise` -- the standard NTU actor selection (bodies -> at most two actors)
* :mod:`.nwucla`      -- NW-UCLA json clips (one parser, one label rule)
* :mod:`.pkummd`      -- PKU-MMD phase I skeleton, label and split files
* :mod:`.npy`         -- ``.npy`` arrays ``(M, T, V, C)`` / ``(C, T, V, M)`` / batches
* :mod:`.mmpose`      -- MMPose per-frame json results
* :mod:`.annotation`  -- MMAction2's ``PoseDataset`` annotation pickle
* :mod:`.resources`   -- shipped data: class names, NTU sample lists

The submodules are imported on use (``from sfhead_mm.formats import ntu``); this file imports
only the error types.
"""
from .errors import ErrorRecord, FormatError

__all__ = ['ErrorRecord', 'FormatError']
