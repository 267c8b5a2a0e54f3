"""sfhead_mm.formats and the converters stay light: no torch, mmengine or MMAction2."""
import pytest

from tests.conftest import run

HEAVY = ('torch', 'mmengine', 'mmaction', 'mmcv')


@pytest.mark.parametrize('modules', [
    'sfhead_mm.formats',
    'sfhead_mm.formats.ntu, sfhead_mm.formats.ntu_denoise, sfhead_mm.formats.nwucla, '
    'sfhead_mm.formats.pkummd, sfhead_mm.formats.npy, sfhead_mm.formats.mmpose, '
    'sfhead_mm.formats.resources, sfhead_mm.formats.annotation',
    'data_prep.ntu, data_prep.nwucla, data_prep.pkummd, data_prep.verify, data_prep.cli',
])
def test_no_heavy_import(python, modules):
    code = (f'import sys; import {modules}; '
            f'heavy = [m for m in {HEAVY!r} if m in sys.modules]; print(heavy)')
    assert run([python, '-c', code]).stdout.strip() == '[]'


def test_class_names_are_package_data():
    from sfhead_mm.formats.resources import class_names
    assert len(class_names('ntu60')) == 60 and len(class_names('ntu120')) == 120
    assert class_names('ntu120')[:60] == class_names('ntu60')
    assert class_names('nwucla')[0] == 'pick up with one hand' and len(class_names('nwucla')) == 10
    with pytest.raises(KeyError, match='ntu60'):
        class_names('kinetics')
