"""--amp on the CPU: bfloat16 autocast (CPUAmpOptimWrapper), for stock and package recognizers."""
import os.path as osp
import re

import pytest
import torch
from mmengine.optim import build_optim_wrapper

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from sfhead_mm.engine.cpu_amp_optim_wrapper import CPUAmpOptimWrapper
from tests.conftest import REPO, TEST_CONFIGS, data_options, run

TINY = osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py')  # stock RecognizerGCN + ST-GCN
# Two training iterations (32 samples, batch 16) and a validation of 16 samples.
SHORT = ['train_cfg.max_epochs=1', 'train_dataloader.batch_size=16',
         'train_dataloader.dataset.dataset.indices=32', 'val_dataloader.dataset.indices=16']


@pytest.mark.skipif(torch.cuda.is_available(), reason='the CPU path of --amp')
def test_train_py_amp_trains_a_stock_config_on_cpu_and_validates(python, tmp_path,
                                                                 synthetic_small):
    proc = run([python, osp.join(REPO, 'tools', 'train.py'), TINY, '--amp', '--work-dir',
                str(tmp_path), '--cfg-options', *data_options(synthetic_small), *SHORT])
    log = proc.stdout + proc.stderr
    assert 'CPUAmpOptimWrapper' in log
    assert re.search(r'loss_cls: [0-9.]+', log)
    assert re.search(r'acc/top1: [0-9.]+', log)
    assert (tmp_path / 'epoch_1.pth').is_file()


def test_wrapper_runs_the_forward_in_bfloat16_and_keeps_float32_parameters():
    model = MODELS.build(dict(
        type='PluginRecognizerGCN',
        backbone=dict(type='CTRGCN', graph_cfg=dict(layout='nw-ucla'), num_person=1,
                      base_channels=16, num_stages=2, inflate_stages=(), down_stages=()),
        cls_head=dict(type='GCNHead', num_classes=4, in_channels=16)))
    wrapper = build_optim_wrapper(model, dict(type='CPUAmpOptimWrapper',
                                              optimizer=dict(type='SGD', lr=0.1)))
    assert isinstance(wrapper, CPUAmpOptimWrapper)
    x = torch.randn(4, 1, 1, 8, 20, 3)
    samples = [ActionDataSample().set_gt_label(i) for i in range(4)]
    with wrapper.optim_context(model):
        assert torch.is_autocast_enabled('cpu')
        feats = model.extract_feat(x)[0]
        assert feats.dtype == torch.bfloat16
    before = model.cls_head.fc.weight.detach().clone()
    log_vars = model.train_step(dict(inputs=list(x), data_samples=samples), wrapper)
    assert torch.isfinite(log_vars['loss'])
    assert model.cls_head.fc.weight.dtype == torch.float32
    assert not torch.equal(model.cls_head.fc.weight, before)


def test_wrapper_refuses_float16():
    with pytest.raises(ValueError, match='bfloat16'):
        CPUAmpOptimWrapper(dtype='float16', optimizer=torch.optim.SGD(
            [torch.nn.Parameter(torch.zeros(1))], lr=0.1))
