"""DumpScores: the test set's scores as a score file, equal to what DumpResults pickles."""
import numpy as np
import pytest
import torch

from mmaction.registry import METRICS
from sfhead_mm.evaluation.result_files import load_results
from tests.evaluation.ambiguous_cases import make_samples, write_dump


def _dump(samples, path, batch=4):
    metric = METRICS.build(dict(type='DumpScores', out_file_path=str(path)))
    for i in range(0, len(samples), batch):
        metric.process(None, samples[i:i + batch])
    assert metric.evaluate(len(samples)) == {}  # no scalars: a writer
    return load_results(str(path))


def test_scores_ids_and_labels_as_the_pickle_has_them(tmp_path):
    samples = make_samples()
    got = _dump(samples, tmp_path / 's.json')
    want = load_results(write_dump(tmp_path / 'r.pkl', samples))
    assert np.array_equal(got.scores, want.scores) and got.ids == want.ids
    assert np.array_equal(got.labels, want.labels)


def test_bf16_scores_and_samples_without_ids(tmp_path):
    samples = [dict(s, pred_score=s['pred_score'].bfloat16()) for s in make_samples()]
    for s in samples:
        del s['frame_dir']
    got = _dump(samples, tmp_path / 's.json', batch=16)
    assert got.ids is None
    assert np.array_equal(got.scores, np.stack([s['pred_score'].float().numpy()
                                                for s in samples]))


def test_bad_use_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"out_file_path 'x.pkl' must end with .json"):
        METRICS.build(dict(type='DumpScores', out_file_path='x.pkl'))
    metric = METRICS.build(dict(type='DumpScores', out_file_path=str(tmp_path / 's.json')))
    with pytest.raises(ValueError, match='sample 1 of the batch has no pred_score'):
        metric.process(None, [make_samples()[0], dict(gt_label=torch.tensor([0]))])
    with pytest.raises(ValueError, match='single-stream'):
        metric.process(None, [dict(pred_score=dict(j=torch.zeros(3)),
                                   gt_label=torch.tensor([0]))])
