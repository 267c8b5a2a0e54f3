"""CompileForwardHook: the forward compiled, the preprocessor and optimizer step left eager."""
import json
import subprocess
import sys
import types

import pytest
import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.logging import MMLogger

from sfhead_mm.engine.hooks import CompileForwardHook
from tests.conftest import REPO


def fake_runner(**cfg):
    return types.SimpleNamespace(cfg=ConfigDict(cfg), model=nn.Linear(2, 2),
                                 logger=MMLogger.get_instance('test_compile_forward_hook'))


def test_nothing_is_compiled_unless_the_config_asks():
    runner = fake_runner()
    CompileForwardHook().before_run(runner)
    assert getattr(runner.model, '_compiled_call_impl', None) is None
    runner = fake_runner(compile_forward=dict(backend='eager'))
    CompileForwardHook().before_run(runner)
    assert runner.model._compiled_call_impl is not None


def test_bad_settings_are_refused_by_key():
    with pytest.raises(ValueError, match='both `compile`.*and `compile_forward`'):
        CompileForwardHook().before_run(fake_runner(compile=True, compile_forward=True))
    with pytest.raises(TypeError, match="compile_forward: expected True or a dict"):
        CompileForwardHook().before_run(fake_runner(compile_forward='eager'))


SCRIPT = r'''
import json, sys
import torch
import torch._dynamo
from torch._C._dynamo.eval_frame import _debug_get_cache_entry_list as entries
from torch._dynamo.utils import counters
from sfhead_mm.utils import register_all_modules
register_all_modules()
from mmengine.runner import Runner
from mmaction.models.data_preprocessors import ActionDataPreprocessor
from sfhead_mm.datasets import synthetic
from sfhead_mm.engine import runner_setup
root = sys.argv[1]
ann = root + '/syn.pkl'
synthetic.write(ann, train_per_class=8, val_per_class=4, seed=0)
out = {}
for key in ('compile_forward', 'compile'):
    torch._dynamo.reset()
    counters.clear()
    cfg = runner_setup.load_config(REPO + '/tests/configs/tiny_stgcn_synthetic.py', {
        'train_dataloader.dataset.dataset.ann_file': ann, 'val_dataloader.dataset.ann_file': ann,
        'test_dataloader.dataset.ann_file': ann})
    cfg.work_dir = f'{root}/{key}'
    cfg.train_cfg.max_epochs = 2
    # the learning rate changes after epoch 1, as in every schedule with a milestone
    cfg.param_scheduler = [dict(type='MultiStepLR', milestones=[1], gamma=0.1, by_epoch=True)]
    cfg[key] = dict(backend='eager')
    runner = Runner.from_cfg(cfg)
    runner.train()
    ckpt = torch.load(f'{root}/{key}/epoch_2.pth', weights_only=False)
    out[key] = dict(
        frames=counters['frames']['total'],
        preprocessor=len(entries(ActionDataPreprocessor.forward.__code__)),
        optimizer=max(len(entries(f.__code__)) for f in (
            torch.optim.SGD.step, torch.optim.SGD.step.__wrapped__,
            getattr(torch.optim.SGD.step.__wrapped__, '__wrapped__', torch.optim.SGD.step))),
        compiled=getattr(runner.model, '_compiled_call_impl', None) is not None,
        keys=sorted(ckpt['state_dict']))
print(json.dumps(out))
'''


def test_only_the_forward_is_compiled_where_mmengine_compiles_the_whole_step(tmp_path):
    """Dynamo's ``eager`` backend (capture only): mmengine's ``compile`` recompiles the data
    preprocessor and the optimizer step (at the learning-rate change); the hook compiles
    neither, converts fewer frames, and keeps the checkpoint's parameter names."""
    proc = subprocess.run([sys.executable, '-c', f'REPO = {str(REPO)!r}\n' + SCRIPT,
                           str(tmp_path)], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    hook, whole = out['compile_forward'], out['compile']
    print(f"frames Dynamo converted: compile_forward {hook['frames']}, compile {whole['frames']}; "
          f"cache entries of the preprocessor {hook['preprocessor']} / {whole['preprocessor']}, "
          f"of SGD.step {hook['optimizer']} / {whole['optimizer']}")
    assert hook['compiled'] and hook['preprocessor'] == 0 and hook['optimizer'] == 0
    assert whole['preprocessor'] > 1 and whole['optimizer'] >= 2  # a recompile per lr value
    assert hook['frames'] < whole['frames']
    assert hook['keys'] == whole['keys'] and not any('_orig_mod' in k for k in hook['keys'])
