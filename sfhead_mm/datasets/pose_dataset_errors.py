"""Readable errors when MMAction2's ``PoseDataset`` cannot use its annotation file.

``PoseDataset.load_data_list`` fails with bare Python errors on the commonest user mistakes: a
split name the file does not have (``KeyError: 'xsub_train'``), MMAction2 0.x's list format
(``TypeError: list indices must be integers``, mmaction2 #2800, #2290), a dict without
``split``/``annotations``. Those happen while the runner builds its datasets, before any hook of
ours can run, so the method is wrapped: on failure the file is diagnosed with the same checks as
``tools/check_data.py`` and the error names the file, the key and the fix. Successful loads are
untouched (the wrapper only adds a ``try``).
"""
from .checks import DataCheckError, load_annotation_file, select_split

_WRAPPED = '_sfhead_readable_errors'


def _diagnose(dataset, err: Exception) -> Exception:
    ann_file = getattr(dataset, 'ann_file', '<unknown file>')
    split = getattr(dataset, 'split', None)
    try:
        data = load_annotation_file(ann_file)
    except DataCheckError as load_err:
        return load_err
    _, problems = select_split(data, ann_file, split, where=f'PoseDataset({ann_file})')
    if not problems:
        return err  # not one of the known mistakes: keep MMAction2's own error
    lines = '; '.join(f'{p.key}: {p.message}' for p in problems)
    return DataCheckError(f'{ann_file} (split={split!r}): {lines}')


def install() -> None:
    """Wrap ``PoseDataset.load_data_list`` once."""
    from mmaction.datasets import PoseDataset
    original = PoseDataset.load_data_list
    if getattr(original, _WRAPPED, False):
        return

    def load_data_list(self):
        try:
            return original(self)
        except (KeyError, TypeError, IndexError, AttributeError) as err:
            raise _diagnose(self, err) from err

    setattr(load_data_list, _WRAPPED, True)
    load_data_list.__doc__ = original.__doc__
    PoseDataset.load_data_list = load_data_list
