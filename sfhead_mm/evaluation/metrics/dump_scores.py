"""DumpScores: the test set's per-sample scores as a JSON score file, next to the metrics."""
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from mmaction.registry import METRICS
from ..result_files import save_scores
from .samples import single_label_scores


@METRICS.register_module()
class DumpScores(BaseMetric):
    """Write every sample's id, label and class scores to a score file (``.json``).

    The code-free counterpart of mmengine's ``DumpResults``: the same predictions as plain JSON
    (:func:`~sfhead_mm.evaluation.result_files.save_scores`; loading it runs no code), about a
    tenth of the pickle's size, written atomically. Every tool of ``tools/analysis/`` reads it.
    ``tools/test.py --dump x.json`` adds it to the test evaluator; in a config::

        test_evaluator = [dict(type='AccMetric'),
                          dict(type='DumpScores', out_file_path='work_dirs/scores.json')]

    Sample ids (``frame_dir``) are written when the samples carry them (``tools/test.py`` packs
    them). In distributed testing the ranks' samples are gathered first and rank 0 writes.

    Args:
        out_file_path (str): The ``.json`` score file.
        collect_device (str): ``'cpu'`` or ``'gpu'``, as in ``BaseMetric``. Defaults to 'cpu'.
        collect_dir (str, optional): As in ``BaseMetric``.
    """

    def __init__(self, out_file_path: str, collect_device: str = 'cpu',
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, collect_dir=collect_dir)
        if not str(out_file_path).endswith('.json'):
            raise ValueError(f'DumpScores: out_file_path {out_file_path!r} must end with .json')
        self.out_file_path = str(out_file_path)

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep ``(id, label, scores)`` of every sample, on the CPU."""
        for sample, score, label in single_label_scores(data_samples, 'DumpScores'):
            # float() first: a bfloat16 score (autocast) has no numpy dtype
            self.results.append((sample.get('frame_dir'), label,
                                 score.detach().float().cpu().numpy().reshape(-1)))

    def compute_metrics(self, results: List[Tuple[Optional[str], int, np.ndarray]]
                        ) -> Dict[str, float]:
        """Write the file; no scalars."""
        if not results:
            raise ValueError('DumpScores got no results to write')
        sizes = {r[2].size for r in results}
        if len(sizes) != 1:
            raise ValueError(f'DumpScores: samples have different numbers of class scores: '
                             f'{sorted(sizes)}')
        ids = [r[0] for r in results]
        save_scores(self.out_file_path, np.stack([r[2] for r in results]),
                    [r[1] for r in results],
                    ids if all(x is not None for x in ids) else None)
        print_log(f'Scores of {len(results)} samples saved to {self.out_file_path}',
                  logger='current')
        return {}
