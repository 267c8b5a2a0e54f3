"""tools/check_data.py, the check when a run starts, one-line data errors, the 0.x conversion."""
import importlib.util
import os
import os.path as osp
import pickle

import numpy as np
import pytest

from sfhead_mm.datasets.checks import DataCheckError
from sfhead_mm.datasets.pose_dataset_errors import data_errors_in_one_line, explain_dataset_error
from sfhead_mm.engine.runner_setup import load_config
from sfhead_mm.formats.annotation import sniff_container
from tests.apis.helpers import TINY_SF, small_synthetic
from tests.conftest import REPO, data_options


def tool(name):
    spec = importlib.util.spec_from_file_location(f'tool_{name}',
                                                  osp.join(REPO, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(ann_file, *extra):
    return tool('check_data').main([TINY_SF, '--cfg-options', *data_options(ann_file), *extra])


@pytest.fixture(scope='module')
def good(tmp_path_factory):
    return small_synthetic(tmp_path_factory)


def _load(path):
    with open(path, 'rb') as f:
        return pickle.load(f)


def _dump(data, path):
    with open(path, 'wb') as f:
        pickle.dump(data, f)
    return str(path)


def test_good_pickle_passes(good, capsys):
    assert check(good) == 0
    out = capsys.readouterr().out
    assert 'OK: 48 samples, no problem found.' in out
    assert "layout 'nturgb+d' (25 joints" in out and '8 classes' in out
    # A relative ann_file is read under data_root, as the dataset reads it.
    roots = [f'{k.split("ann_file=")[0]}data_root={osp.dirname(good)}'
             for k in data_options(good)]
    assert check(osp.basename(good), *roots) == 0
    assert 'OK: 48 samples' in capsys.readouterr().out


def test_every_problem_is_named_with_sample_and_key(good, tmp_path, capsys):
    data = _load(good)
    ann = {a['frame_dir']: a for a in data['annotations']}
    names = data['split']['train']
    ann[names[0]]['total_frames'] += 3
    ann[names[1]]['keypoint'] = ann[names[1]]['keypoint'][:, :, :20]  # NW-UCLA's 20 joints
    ann[names[2]]['keypoint'] = ann[names[2]]['keypoint'][..., :2]  # 2D for a 3D model
    ann[names[3]]['label'] = 8  # one past the last class
    del ann[names[4]]['keypoint']
    ann[names[5]]['keypoint'][0, 3, 4, 1] = np.nan
    data['split']['train'].append('ghost')
    bad = _dump(data, tmp_path / 'bad.pkl')
    json_out = tmp_path / 'report.json'
    assert check(bad, '--json', str(json_out)) == 1
    out = capsys.readouterr().out
    expected = [
        (names[0], 'total_frames', 'but keypoint has T='),
        (names[1], 'keypoint', 'V=20 joints (shape ('),
        (names[2], 'keypoint', 'C=2 (2D) gives 2 input channels'),
        (names[3], 'label', 'label 8 outside 0..7'),
        (names[4], 'keypoint', 'missing'),
        (names[5], 'keypoint', 'holds NaN or inf (first at index [0, 3, 4, 1])')]
    lines = out.splitlines()
    for name, key, words in expected:
        assert any(f"sample '{name}', key '{key}'" in ln and words in ln for ln in lines), name
    assert any("['ghost']" in ln and "key 'split'" in ln for ln in lines)
    assert 'FAILED: 7 problem(s) in 6 sample(s)' in out
    import json
    report = json.load(open(json_out))
    assert not report['ok'] and len(report['problems']) == 7


def test_thousands_of_problems_are_summarised(good, tmp_path, capsys):
    data = _load(good)
    base = data['annotations'][0]
    data['annotations'] = [dict(base, frame_dir=f'c{i}', label=99) for i in range(1500)]
    data['split'] = dict(train=[f'c{i}' for i in range(1500)], val=['c0'])
    assert check(_dump(data, tmp_path / 'many.pkl'), '--loaders', 'train') == 1
    out = capsys.readouterr().out
    assert out.count("key 'label': label 99 outside 0..7") == 5
    assert '... and 1,495 more sample(s) with the same problem (label)' in out


def test_missing_split_and_old_format(good, tmp_path, capsys):
    data = _load(good)
    del data['split']['xsub_train']
    renamed = _dump(data, tmp_path / 'renamed.pkl')
    assert check(renamed, 'train_dataloader.dataset.dataset.split=xsub_train') == 1
    assert "no split named 'xsub_train'; the file has ['train', 'val', 'xsub_val']" in \
        capsys.readouterr().out

    # MMAction2 0.x: one list of samples per split file.
    by_name = {a['frame_dir']: a for a in data['annotations']}
    train = _dump([by_name[n] for n in data['split']['train']], tmp_path / 'old_train.pkl')
    val = _dump([by_name[n] for n in data['split']['val']], tmp_path / 'old_val.pkl')
    assert sniff_container(train) == 'list' and sniff_container(good) == 'dict'
    rc = tool('check_data').main([TINY_SF, '--cfg-options',
                                  f'train_dataloader.dataset.dataset.ann_file={train}',
                                  f'val_dataloader.dataset.ann_file={val}',
                                  f'test_dataloader.dataset.ann_file={val}'])
    out = capsys.readouterr().out
    assert rc == 1 and "is in MMAction2 0.x's format" in out
    command = [ln for ln in out.splitlines() if 'convert with: python' in ln]
    assert len(command) == 1
    assert f'tools/convert_old_pickle.py train={train} val={val} --out' in command[0]

    # The converter the message names: one 1.x file that passes the check.
    new = tmp_path / 'converted.pkl'
    assert tool('convert_old_pickle').main([f'train={train}', f'val={val}', '--out',
                                            str(new)]) == 0
    converted = _load(new)
    assert converted['split'] == dict(train=data['split']['train'], val=data['split']['val'])
    assert len(converted['annotations']) == 48
    for a in converted['annotations']:
        np.testing.assert_array_equal(a['keypoint'], by_name[a['frame_dir']]['keypoint'])
    assert check(str(new)) == 0
    assert tool('convert_old_pickle').main([f'train={train}', '--out', str(new)]) == 1
    assert 'exists' in capsys.readouterr().err  # nothing overwritten unasked


def test_converter_refuses_conflicting_duplicates(good, tmp_path, capsys):
    data = _load(good)
    first = dict(data['annotations'][0])
    other = dict(first, keypoint=first['keypoint'] + 1)
    a = _dump([first], tmp_path / 'a.pkl')
    b = _dump([other], tmp_path / 'b.pkl')
    assert tool('convert_old_pickle').main(['a=' + a, 'b=' + b, '--out',
                                            str(tmp_path / 'x.pkl')]) == 1
    assert 'differs from the sample of the same name' in capsys.readouterr().err
    assert not (tmp_path / 'x.pkl').exists()
    assert tool('convert_old_pickle').main([good, '--out', str(tmp_path / 'y.pkl')]) == 1
    assert 'already in the 1.x format' in capsys.readouterr().err


def test_train_checks_before_the_first_step(good, tmp_path, capsys):
    data = _load(good)
    name = data['split']['val'][0]
    for a in data['annotations']:
        if a['frame_dir'] == name:
            a['keypoint'] = a['keypoint'][:, :, :20]
    bad = _dump(data, tmp_path / 'bad_val.pkl')
    train = tool('train')
    try:  # the hook's report: raised, or printed by the tool's one-line error handling
        train.main([TINY_SF, '--work-dir', str(tmp_path / 'wd'), '--cfg-options',
                    *data_options(bad), 'train_cfg.max_epochs=1', 'log_level=WARNING'])
    except DataCheckError as err:
        text = str(err)
    except SystemExit as err:
        assert err.code == 2
        text = capsys.readouterr().err
    else:
        raise AssertionError('the run started on data that does not fit the config')
    assert f"sample '{name}', key 'keypoint': V=20 joints" in text
    assert not list((tmp_path / 'wd').glob('*.pth'))  # stopped before any training step


def test_old_pickles_stop_the_run_with_the_conversion_command(good, tmp_path):
    from mmengine.runner import Runner
    cfg = load_config(TINY_SF)
    assert [h['type'] for h in cfg.custom_hooks].count('CheckDataHook') == 1  # declared
    old = _dump(_load(good)['annotations'], tmp_path / 'old.pkl')
    cfg.merge_from_dict(dict(a.split('=') for a in data_options(old)))
    cfg.work_dir = str(tmp_path / 'wd')
    cfg.log_level = 'WARNING'
    with pytest.raises(TypeError) as err:  # MMAction2: "list indices must be integers"
        Runner.from_cfg(cfg).train()
    line = explain_dataset_error(err.value, cfg)
    assert "is in MMAction2 0.x's format" in line
    assert f'convert with: python tools/convert_old_pickle.py train={old} val={old}' in line


def test_nan_in_a_middle_sample_and_an_unsafe_file(good, tmp_path, capsys):
    data = _load(good)
    middle = data['split']['train'][len(data['split']['train']) // 2]
    for a in data['annotations']:
        if a['frame_dir'] == middle:
            a['keypoint'][0, 5, 3, 2] = np.inf
    assert check(_dump(data, tmp_path / 'nan.pkl'), '--loaders', 'train') == 1
    out = capsys.readouterr().out
    assert f"sample '{middle}', key 'keypoint': holds NaN or inf (first at index [0, 5, 3, 2])" \
        in out and 'FAILED: 1 problem(s) in 1 sample(s)' in out

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(tmp_path / 'ran'), ))

    evil = _dump(dict(_load(good), meta=Payload()), tmp_path / 'evil.pkl')
    assert check(evil, '--loaders', 'train') == 1
    out = capsys.readouterr().out
    assert f"key 'ann_file': {evil}: refused to unpickle posix.mkdir" in out
    assert not (tmp_path / 'ran').exists()


def test_a_run_that_cannot_load_its_data_is_explained_in_one_line(good, tmp_path, capsys):
    from mmengine.runner import Runner
    cfg = load_config(TINY_SF)
    cfg.merge_from_dict(dict(a.split('=') for a in data_options(good)))
    cfg.train_dataloader.dataset.dataset.split = 'nope'
    cfg.work_dir = str(tmp_path / 'wd')
    cfg.log_level = 'WARNING'
    cfg.check_data = False  # the check before the run is off: the runner itself fails
    with pytest.raises(KeyError) as err:
        Runner.from_cfg(cfg).train()
    line = explain_dataset_error(err.value, cfg)
    assert line.startswith(f"{good}: no split named 'nope'; the file has ['train', 'val'")
    assert '(change train_dataloader.dataset.dataset.split)' in line and '\n' not in line
    # What the tools' entry points wrap their run in: "error: ..." and exit code 2.
    with pytest.raises(SystemExit) as exit_:
        with data_errors_in_one_line(cfg):
            Runner.from_cfg(cfg).train()
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip() == f'error: {line}'
    with pytest.raises(ZeroDivisionError):  # anything else keeps its traceback
        with data_errors_in_one_line(cfg):
            1 / 0


def test_converter_is_light_and_reports_bad_samples(good, tmp_path, capsys):
    import subprocess
    import sys
    code = ('import runpy, sys; sys.argv = ["convert_old_pickle.py", "--help"]\n'
            'try:\n    runpy.run_path("tools/convert_old_pickle.py", run_name="__main__")\n'
            'except SystemExit:\n    pass\n'
            'print(sorted(m for m in ("torch", "mmengine", "mmaction") if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == '[]'
    samples = _load(good)['annotations'][:3]
    samples[1]['keypoint'] = samples[1]['keypoint'].copy()
    samples[1]['keypoint'][0, 0, 0, 0] = np.nan
    old = _dump(samples, tmp_path / 'old.pkl')
    out_file = tmp_path / 'new.pkl'
    assert tool('convert_old_pickle').main([f'train={old}', '--out', str(out_file)]) == 0
    err = capsys.readouterr().err
    assert f"warning: 1 problem(s) in the samples, converted as they are: sample " \
           f"'{samples[1]['frame_dir']}': keypoint: holds NaN" in err
    assert len(_load(out_file)['annotations']) == 3
