"""tools/analysis/tsne.py: pooled features of the chosen classes, the embedding and the PNG."""
import matplotlib.image as mpimg
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.runner import save_checkpoint

from mmaction.registry import DATASETS, MODELS
from sfhead_mm.engine import runner_setup
from tests.conftest import TEST_CONFIGS, data_options
from tests.evaluation.ambiguous_cases import load_tool

TINY = f'{TEST_CONFIGS}/tiny_stgcn_synthetic.py'


def test_tsne_of_two_classes(tmp_path, synthetic_small):
    cfg = runner_setup.load_config(TINY)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    ckpt = str(tmp_path / 'ckpt.pth')
    save_checkpoint(dict(state_dict=model.state_dict()), ckpt)
    out = tmp_path / 'tsne.png'
    load_tool('tsne').main([TINY, ckpt, '--classes', 'sit down', '5', '--class-names',
                            *_names_file(tmp_path), '--max-per-class', '6', '--out', str(out),
                            '--cfg-options', *data_options(synthetic_small)])
    png = mpimg.imread(out)
    assert png.ndim == 3 and png[..., :3].std() > 0.05
    npz = np.load(tmp_path / 'tsne.npz')
    assert npz['features'].shape == (12, 32)  # 6 per class, the backbone's 32 channels
    assert npz['embedding'].shape == (12, 2)
    assert sorted(np.unique(npz['labels'], return_counts=True)[1]) == [6, 6]
    assert set(npz['labels']) == {4, 5} and list(npz['classes']) == [4, 5]
    assert all(i.startswith('syn_val_') for i in npz['ids'])

    # The feature is what GCNHead pools: its fc applied to it gives the model's own scores
    # (GCNHead's default average_clips='prob': the dumped score is the softmax).
    for opt in data_options(synthetic_small):
        key, value = opt.split('=', 1)
        cfg.merge_from_dict({key: value})
    runner_setup.keep_sample_ids(cfg)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    first = next(i for i in range(len(dataset))
                 if dataset.get_data_info(i)['frame_dir'] == str(npz['ids'][0]))
    with torch.no_grad():
        pred = model.test_step(pseudo_collate([dataset[first]]))[0].pred_score
    fc = model.cls_head.fc
    from_feature = fc(torch.from_numpy(npz['features'][0]).float()).softmax(-1)
    torch.testing.assert_close(from_feature, pred, rtol=1e-4, atol=1e-5)


def _names_file(tmp_path):
    from sfhead_mm.datasets import synthetic
    path = tmp_path / 'classes.txt'
    path.write_text('\n'.join(synthetic.CLASSES) + '\n')
    return [str(path)]


def test_needs_classes_or_a_group(tmp_path):
    with pytest.raises(SystemExit):
        load_tool('tsne').parse_args([TINY, 'x.pth'])
