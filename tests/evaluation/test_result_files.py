"""Reading result files back: dump pickles and JSON reports; bad files are named."""
import json
import pickle

import numpy as np
import pytest
import torch

from sfhead_mm.utils.atomic_write import write_json
from sfhead_mm.evaluation.result_files import load_results
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
