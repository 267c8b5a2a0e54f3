"""Reading result files back: score files, dump pickles and JSON reports; bad files are named."""
import json
import pickle

import numpy as np
import pytest
import torch

from sfhead_mm.utils.atomic_write import write_json
from sfhead_mm.evaluation.result_files import load_results, run_scores, save_scores
from tests.evaluation.ambiguous_cases import labels_and_preds, make_samples, write_dump


def test_dump_gives_scores_ids_and_the_confusion_matrix(tmp_path):
    res = load_results(write_dump(tmp_path / 'r.pkl', make_samples()))
    labels, preds = labels_and_preds()
    assert res.scores.shape == (16, 6) and list(res.labels) == labels
    assert res.ids == [f'S{i:03d}' for i in range(16)]
    assert res.confusion[2].tolist() == [0, 0, 2, 1, 1, 1]
    acc, support = res.class_accuracy()
    assert np.isnan(acc[3]) and support[3] == 0 and acc[0] == 0.75


@pytest.mark.parametrize('edit, message', [
    (lambda s: s[:3] + [{k: v for k, v in s[3].items() if k != 'pred_score'}] + s[4:],
     r"r.pkl: sample 3 has no 'pred_score'"),
    (lambda s: s[:2] + [dict(s[2], pred_score=torch.zeros(5))] + s[3:],
     r'r.pkl: sample 2 has 5 class scores, sample 0 has 6'),
    (lambda s: s[:1] + [{k: v for k, v in s[1].items() if k != 'frame_dir'}] + s[2:],
     r'r.pkl: sample 1 has no "frame_dir"'),
    (lambda s: [dict(s[0], gt_label=torch.tensor([9]))] + s[1:],
     r'r.pkl: sample 0 has label 9'),
    (lambda s: [], 'r.pkl: expected a non-empty list'),
])
def test_bad_dumps_are_named(tmp_path, edit, message):
    path = write_dump(tmp_path / 'r.pkl', edit(make_samples()))
    with pytest.raises(ValueError, match=message):
        load_results(path)


def test_report_and_other_files(tmp_path):
    report = write_json(str(tmp_path / 'r.json'), {'confusion_matrix': [[1, 1], [0, 2]]})
    res = load_results(report)
    assert res.scores is None and res.num_samples == 4
    with pytest.raises(ValueError, match='per-sample scores'):
        res.require_samples('score fusion')
    (tmp_path / 'x.json').write_text(json.dumps({'a': 1}))
    with pytest.raises(ValueError, match='x.json: not a report'):
        load_results(str(tmp_path / 'x.json'))
    (tmp_path / 'x.txt').write_text('')
    with pytest.raises(ValueError, match='unknown result file type'):
        load_results(str(tmp_path / 'x.txt'))
    (tmp_path / 'broken.pkl').write_bytes(pickle.dumps([1, 2])[:5])
    with pytest.raises(ValueError, match='broken.pkl: not a readable pickle'):
        load_results(str(tmp_path / 'broken.pkl'))
    with pytest.raises(FileNotFoundError, match='missing.pkl'):
        load_results(str(tmp_path / 'missing.pkl'))


def test_atomic_json_keeps_the_old_file_when_writing_fails(tmp_path):
    path = str(tmp_path / 'r.json')
    write_json(path, {'a': 1})
    with pytest.raises(ValueError):
        write_json(path, {'a': float('nan')})  # refused: nan must already be null
    assert json.loads(open(path).read()) == {'a': 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ['r.json']  # no temp file left


def test_score_file_gives_back_the_dump_exactly_and_smaller(tmp_path):
    """save_scores: float32 scores in shortest digits, read back bit for bit; ids and labels."""
    dump = load_results(write_dump(tmp_path / 'r.pkl', make_samples()))
    path = save_scores(str(tmp_path / 's.json'), dump.scores, dump.labels, dump.ids)
    back = load_results(path)
    assert np.array_equal(back.scores, dump.scores) and back.ids == dump.ids
    assert np.array_equal(back.labels, dump.labels)
    assert np.array_equal(back.confusion, dump.confusion)
    assert json.loads(open(path).read())['dtype'] == 'float32'
    # float64 scores (e.g. fused) are kept as float64, exactly; ids are optional
    scores = np.random.default_rng(0).random((3, 4)) * 1e-9
    back = load_results(save_scores(str(tmp_path / 'd.json'), scores, [0, 1, 3]))
    assert np.array_equal(back.scores, scores) and back.ids is None


@pytest.mark.parametrize('edit, message', [
    (lambda d: {k: v for k, v in d.items() if k != 'labels'}, "s.json: score file without "
     "'labels'"),
    (lambda d: dict(d, scores=d['scores'][:-1]), r's.json: "scores" is \(15, 6\) for 16 labels'),
    (lambda d: dict(d, scores=[[1, 2]] + d['scores'][1:]), 's.json: "scores" must be a list'),
    (lambda d: dict(d, labels=[7] + d['labels'][1:]), 's.json: sample 0 has label 7'),
    (lambda d: dict(d, ids=d['ids'][:3]), 's.json: 3 ids for 16 samples'),
    (lambda d: dict(d, dtype='int8'), 's.json: "dtype" must be'),
    (lambda d: dict(d, format='sfhead_mm.scores/9'), "s.json: score file format "
     "'sfhead_mm.scores/9'"),
])
def test_bad_score_files_are_named(tmp_path, edit, message):
    dump = load_results(write_dump(tmp_path / 'r.pkl', make_samples()))
    path = save_scores(str(tmp_path / 's.json'), dump.scores, dump.labels, dump.ids)
    write_json(path, edit(json.loads(open(path).read())))
    with pytest.raises(ValueError, match=message):
        load_results(path)


def test_save_scores_refuses_bad_labels_and_keeps_nan_as_null(tmp_path):
    with pytest.raises(ValueError, match='x.json: sample 0 has label 2, outside 0..1'):
        save_scores(str(tmp_path / 'x.json'), [[0.1, 0.2]], [2])
    with pytest.raises(ValueError, match=r'x.json: 1 ids for 2 samples'):
        save_scores(str(tmp_path / 'x.json'), [[0.1, 0.2], [0.3, 0.4]], [0, 1], ids=['a'])
    assert not list(tmp_path.iterdir())  # nothing written
    # a diverged model's NaN: null in the file (JSON has no NaN), NaN again when read
    path = save_scores(str(tmp_path / 'n.json'), np.float32([[0.25, np.nan], [0.5, 0.5]]), [0, 1])
    assert '[0.25, null]' in open(path).read()
    back = load_results(path).scores
    assert np.isnan(back[0, 1]) and back[0, 0] == 0.25 and back[1].tolist() == [0.5, 0.5]


def test_run_scores_prefers_the_score_file_then_the_older_pickle(tmp_path):
    assert run_scores(str(tmp_path)) is None  # a run with metrics only
    pkl = write_dump(tmp_path / 'predictions.pkl', make_samples())
    assert run_scores(str(tmp_path)) == pkl
    res = load_results(str(pkl))
    save_scores(str(tmp_path / 'scores.json'), res.scores, res.labels, res.ids)
    assert run_scores(str(tmp_path)) == str(tmp_path / 'scores.json')
