"""The commands run as ``python -m data_prep.<dataset>`` from the repository root."""
import pytest

from data_prep import ntu, nwucla, pkummd
from tests.conftest import run


@pytest.mark.parametrize('module', ['ntu', 'nwucla', 'pkummd', 'verify'])
def test_module_help(python, module):
    proc = run([python, '-m', f'data_prep.{module}', '--help'])
    assert f'python -m data_prep.{module}' in proc.stdout
    if module != 'verify':
        for option in ('--workers', '--strict', '--verify', '--no-resume', '--out'):
            assert option in proc.stdout


def test_missing_input_is_a_clear_error(tmp_path, capsys):
    missing = str(tmp_path / 'nowhere')
    assert ntu.main([missing, '--out', str(tmp_path / 'o.pkl')]) == 1
    assert nwucla.main([missing, '--out', str(tmp_path / 'o.pkl')]) == 1
    assert pkummd.main(['--skeletons', missing, '--labels', missing, '--xsub', missing,
                        '--out', str(tmp_path / 'o.pkl')]) == 1
    err = capsys.readouterr().err
    assert err.count('nowhere') >= 3 and 'error:' in err


def test_empty_folder_writes_nothing(tmp_path, capsys):
    (tmp_path / 'empty').mkdir()
    out = tmp_path / 'o.pkl'
    assert ntu.main([str(tmp_path / 'empty'), '--out', str(out), '--quiet']) == 1
    assert not out.exists()
    assert 'no input files' in capsys.readouterr().err
