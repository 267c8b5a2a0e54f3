"""Two-process (gloo, CPU) evaluation gives the same numbers as one process."""
import math
import pickle

import torch.multiprocessing as mp

from tests.conftest import free_port
from tests.evaluation.ambiguous_cases import CLASS_NAMES, GROUPS, make_samples

METRIC = dict(type='AmbiguousGroupMetric', groups=GROUPS, class_names=CLASS_NAMES,
              per_class_scalars=True, data_driven=dict(anchors='all', k=2))


def _samples():
    return make_samples()[:-1]  # 15: an odd count


def _evaluate(samples, indices, size):
    from mmaction.registry import METRICS
    metric = METRICS.build(METRIC)
    for i in range(0, len(indices), 3):  # batches of 3
        metric.process(None, [samples[j] for j in indices[i:i + 3]])
    return metric.evaluate(size)


def _worker(rank, world_size, port, out_path):
    import torch.distributed as dist
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank,
                            world_size=world_size)
    try:
        samples = _samples()
        n = len(samples)
        # mmengine's DefaultSampler: pad by repeating from the start, then rank::world_size
        total = math.ceil(n / world_size) * world_size
        padded = (list(range(n)) * 2)[:total]
        metrics = _evaluate(samples, padded[rank::world_size], n)
        if rank == 1:  # every rank receives the result: check a non-main one
            with open(out_path, 'wb') as f:
                pickle.dump(metrics, f)
    finally:
        dist.destroy_process_group()


def test_two_process_gloo_evaluation_equals_one_process(tmp_path):
    samples = _samples()
    assert len(samples) % 2 == 1  # so that the sampler pads and the gathering must drop it
    single = _evaluate(samples, list(range(len(samples))), len(samples))
    out = tmp_path / 'dist.pkl'
    # fork: the children inherit the imported stack (spawn would re-import it, ~10 s each)
    mp.start_processes(_worker, args=(2, free_port(), str(out)), nprocs=2, join=True,
                       start_method='fork')
    with open(out, 'rb') as f:
        dist_metrics = pickle.load(f)
    assert dist_metrics == single
    assert 'ambiguous/cde/acc' in single and 'ambiguous/data_driven/group_mean' in single
