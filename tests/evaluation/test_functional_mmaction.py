"""Where MMAction2's ``mmaction.evaluation.functional`` does the job, the package uses it; where it
keeps its own (the confusion matrix), the result differs and the test says how."""
import numpy as np
import pytest

from sfhead_mm.evaluation.functional import confusion_matrix
from sfhead_mm.evaluation.score_fusion import JoinedScores, fuse, softmax, topk_accuracy


def _scores(n=60, c=7, seed=0):
    rng = np.random.RandomState(seed)
    return rng.rand(n, c), rng.randint(0, c, n)


@pytest.mark.parametrize('k', [1, 3, 7, 10])
def test_topk_accuracy_is_mmactions(k):
    scores, labels = _scores()
    order = np.argsort(-scores, axis=1, kind='stable')[:, :min(k, scores.shape[1])]
    expected = float((order == labels[:, None]).any(axis=1).mean())
    assert topk_accuracy(scores, labels, k) == pytest.approx(expected, abs=0)


def test_fusion_is_mmactions_weighted_score():
    (a, labels), (b, _) = _scores(seed=1), _scores(seed=2)
    joined = JoinedScores(ids=[str(i) for i in range(len(labels))], labels=labels,
                          scores=dict(joint=a, bone=b))
    np.testing.assert_allclose(fuse(joined, [0.6, 0.4]), 0.6 * a + 0.4 * b, rtol=1e-12)
    np.testing.assert_allclose(fuse(joined, [1, 2], apply_softmax=True),
                               softmax(a) + 2 * softmax(b), rtol=1e-12)
    with pytest.raises(ValueError, match='1 weights for 2 streams'):
        fuse(joined, [1.0])


def test_our_confusion_matrix_keeps_absent_classes():
    from mmaction.evaluation.functional import confusion_matrix as mmaction_cm
    labels, preds = np.array([0, 2, 2, 3]), np.array([0, 2, 3, 3])
    ours = confusion_matrix(labels, preds, 5)
    assert ours.shape == (5, 5) and ours[2, 3] == 1
    theirs = mmaction_cm(preds, labels)  # classes 1 and 4 never occur: a 3 x 3 matrix
    assert theirs.shape == (3, 3)
    present = [0, 2, 3]
    np.testing.assert_array_equal(ours[np.ix_(present, present)], theirs)
