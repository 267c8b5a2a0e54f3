"""tools/demo.py (`make demo`): a line per epoch, the baseline beside SF-Head, the difference."""
import importlib.util
import os.path as osp
import re

from tests.conftest import REPO


def tool():
    spec = importlib.util.spec_from_file_location('tool_demo', osp.join(REPO, 'tools', 'demo.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_epoch_lines_baseline_and_difference(tmp_path, capsys):
    # 8 classes x 2 clips: one iteration per epoch, 2 epochs per model.
    tool().main(['--epochs', '2', '--train-per-class', '2', '--work-dir', str(tmp_path)])
    out = capsys.readouterr().out
    epoch_lines = re.findall(r'epoch +\d/2 +loss \d+\.\d+ +train acc +[\d.]+ % +\d+ s +ETA '
                             r'\d+:\d\d', out)
    assert len(epoch_lines) == 4, out  # 2 epochs x (SF-Head, baseline)
    assert 'training ST-GCN (baseline) for 2 epochs on CPU (same data, seed and schedule)' in out
    table = out[out.index('result on the validation split'):]
    assert re.search(r'top-1 accuracy +[\d.]+% +[\d.]+% +[+-][\d.]+ pp', table), table
    assert 'mistaken for the partner' in table
    assert 'FileClient' not in out  # harmless notices filtered


def test_result_table_without_baseline(capsys):
    demo = tool()
    demo.print_result({'sfhead': {'acc/top1': 0.5, 'acc/mean1': 0.4,
                                  'ambiguous/group_mean': 0.3, 'ambiguous/confusion': 0.2,
                                  'ambiguous/sit_stand/acc': 0.25}})
    out = capsys.readouterr().out
    assert 'baseline' not in out.splitlines()[0] and 'sit stand' in out
