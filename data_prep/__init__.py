"""Dataset preparation: raw skeleton releases -> MMAction2 ``PoseDataset`` pickles.

Commands (run from the repository root):

* ``python -m data_prep.ntu``     NTU RGB+D 60 / 120 raw ``.skeleton`` files (or txt2npy ``.npy``)
* ``python -m data_prep.nwucla``  NW-UCLA json release (``all_sqe/*.json``)
* ``python -m data_prep.pkummd``  PKU-MMD phase I skeleton + label + split files
* ``python -m data_prep.verify``  load a written pickle with ``PoseDataset`` and the standard
  skeleton pipeline, print per-split counts and class histograms

All converters share the same behaviour at scale: ``--workers`` processes with a progress bar
and ETA, corrupt files reported (file and line) and skipped, a report next to the output, atomic
output, resumable runs (``<output>.parts/``) and ``--strict``. See ``docs/data_prep.md``.
"""
