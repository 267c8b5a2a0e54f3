"""Checkpoints load with weights_only=True and the allow-list; crafted ones are refused."""
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub

from sfhead_mm.utils.checkpoint import (OPT_OUT, CheckpointError, checkpoint_globals,
                                        load_checkpoint_file, unsafe_globals)


class _Payload:
    """Pickles as a call of os.system (never executed by the tests)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


def _mmengine_like_checkpoint():
    """What mmengine's runner saves: weights, optimizer, message hub with HistoryBuffers, numpy."""
    model = torch.nn.Linear(3, 2)
    hub = MessageHub.get_instance('test_checkpoint_hub')
    for step in range(3):
        hub.update_scalar('train/loss', float(step))
    hub.update_info('epoch', 1)
    optim = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.ones(1, 3)).sum().backward()
    optim.step()
    return dict(meta=dict(seed=np.int64(7), epoch=1, iter=3, mmengine_version='0.10.7',
                          dataset_meta=dict(classes=['a', 'b']), hist=np.arange(3)),
                state_dict=model.state_dict(), optimizer=optim.state_dict(),
                message_hub=hub.state_dict())


def test_loads_an_mmengine_checkpoint_with_identical_weights(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    ckpt = _mmengine_like_checkpoint()
    torch.save(ckpt, path)
    assert unsafe_globals(str(path)) == []
    with pytest.raises(Exception):  # torch's own default refuses it: the allow-list is needed
        torch.load(path, weights_only=True)
    back = load_checkpoint_file(str(path))
    for key, value in ckpt['state_dict'].items():
        assert torch.equal(back['state_dict'][key], value)
    assert back['meta']['seed'] == 7
    hub = MessageHub.get_instance('test_checkpoint_hub_back')
    hub.load_state_dict(back['message_hub'])
    assert hub.get_scalar('train/loss').mean() == 1.0


def test_numpy_1_checkpoints_load(tmp_path):
    # MMAction2's released checkpoints were written under numpy < 2 (numpy.core.multiarray).
    path = tmp_path / 'old.pth'
    torch.save(_mmengine_like_checkpoint(), path)
    with zipfile.ZipFile(path) as src:
        entries = {name: src.read(name) for name in src.namelist()}
    pkl = next(name for name in entries if name.endswith('data.pkl'))
    assert b'numpy._core.multiarray' in entries[pkl]
    entries[pkl] = entries[pkl].replace(b'numpy._core.multiarray', b'numpy.core.multiarray')
    old = tmp_path / 'numpy1.pth'
    with zipfile.ZipFile(old, 'w') as dst:
        for name, data in entries.items():
            dst.writestr(name, data)
    back = load_checkpoint_file(str(old))
    assert back['meta']['seed'] == 7


def test_a_payload_in_meta_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / 'ran'
    ckpt = _mmengine_like_checkpoint()
    ckpt['meta']['note'] = _Payload(marker)
    path = tmp_path / 'crafted.pth'
    torch.save(ckpt, path)
    with pytest.raises(CheckpointError) as info:
        load_checkpoint_file(str(path))
    message = str(info.value)
    assert '\n' not in message and str(path) in message and OPT_OUT in message
    assert 'system' in info.value.global_name and info.value.global_name in message
    assert not marker.exists()


def test_a_plain_pickle_renamed_pth_is_refused(tmp_path):
    marker = tmp_path / 'ran'
    path = tmp_path / 'plain.pth'
    path.write_bytes(pickle.dumps({'state_dict': _Payload(marker)}))
    with pytest.raises(CheckpointError, match='plain pickle') as info:
        load_checkpoint_file(str(path))
    assert 'system' in info.value.global_name
    assert not marker.exists()


def test_getattr_is_restricted_to_history_buffer_statistics(tmp_path):
    from mmengine.logging import HistoryBuffer

    class Sneaky:
        def __reduce__(self):  # HistoryBuffer is allowed; its other attributes are not
            return (getattr, (HistoryBuffer, '__init_subclass__'))

    path = tmp_path / 'getattr.pth'
    torch.save({'meta': Sneaky()}, path)
    with pytest.raises(CheckpointError, match='getattr'):
        load_checkpoint_file(str(path))


@pytest.mark.parametrize('content', [b'hello', b''])
def test_foreign_or_truncated_files_are_one_line(tmp_path, content):
    path = tmp_path / 'bad.pth'
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match='not a checkpoint') as info:
        load_checkpoint_file(str(path))
    assert '\n' not in str(info.value)
    good = tmp_path / 'good.pth'
    torch.save(_mmengine_like_checkpoint(), good)
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(good.read_bytes()[:-200])
    with pytest.raises(CheckpointError):
        load_checkpoint_file(str(cut))


def test_missing_and_directory_are_named(tmp_path):
    with pytest.raises(CheckpointError, match='no such'):
        load_checkpoint_file(str(tmp_path / 'nope.pth'))
    with pytest.raises(CheckpointError, match='directory'):
        load_checkpoint_file(str(tmp_path))


def test_checkpoint_globals_is_scoped(tmp_path):
    path = tmp_path / 'c.pth'
    torch.save(_mmengine_like_checkpoint(), path)
    from mmengine.runner import CheckpointLoader
    before = set(torch.serialization.get_safe_globals())
    with checkpoint_globals():
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')  # mmengine's own loader
        with checkpoint_globals():  # nested (a check reading the checkpoint inside a run)
            load_checkpoint_file(str(path))
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')  # still allowed
    assert set(torch.serialization.get_safe_globals()) == before
