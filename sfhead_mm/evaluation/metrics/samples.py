"""What the package's metrics read from each predicted sample, checked once."""
from typing import Iterator, Sequence, Tuple


def single_label_scores(data_samples: Sequence[dict],
                        who: str) -> Iterator[Tuple[dict, object, int]]:
    """``(sample, pred_score, label)`` of every sample of a batch, for a single-stream,
    single-label classifier; anything else is refused in one line naming ``who``.

    Args:
        data_samples (Sequence[dict]): Outputs with ``pred_score`` (C,) and ``gt_label``.
        who (str): The metric's name, for the messages.
    """
    for i, sample in enumerate(data_samples):
        score, label = sample.get('pred_score'), sample.get('gt_label')
        if score is None or label is None:
            raise ValueError(f'{who}: sample {i} of the batch has no pred_score/gt_label')
        if isinstance(score, dict):
            raise ValueError(f'{who} supports single-stream scores only (got streams '
                             f'{sorted(score)})')
        if label.numel() != 1:
            raise ValueError(f'{who} supports single-label samples only')
        yield sample, score, int(label.reshape(-1)[0])
