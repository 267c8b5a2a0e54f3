"""Dataset preparation: raw skeleton releases -> MMAction2 ``PoseDataset`` pickles.

Commands (from a checkout, run from the repository root; a regular install ships this folder as
``sfhead_mm.data_prep`` with the console scripts ``sfhead-ntu``, ``sfhead-nwucla``,
``sfhead-pkummd``, ``sfhead-verify``):

* ``python -m data_prep.ntu``     NTU RGB+D 60 / 120 raw ``.skeleton`` files (or txt2npy ``.npy``)
* ``python -m data_prep.nwucla``  NW-UCLA json release (``all_sqe/*.json``)
* ``python -m data_prep.pkummd``  PKU-MMD phase I skeleton + label + split files
* ``python -m data_prep.verify``  validate every sample and split of a written pickle, print
  per-split counts and class histograms

All converters share the same behaviour at scale: ``--workers`` processes with a progress bar
and ETA, corrupt files reported (file and line) and skipped, a report next to the output, atomic
output, resumable runs (``<output>.parts/``) and ``--strict``. See ``docs/data_prep.md``.

The file formats are parsed by :mod:`sfhead_mm.formats` (shared with inference); the annotation
pickle is :mod:`sfhead_mm.formats.annotation`'s. This package imports only light modules
(``sfhead_mm.formats``, ``sfhead_mm.skeleton``, ``sfhead_mm.utils``): never torch, mmengine or
MMAction2, so a converter starts in about a second.
"""
