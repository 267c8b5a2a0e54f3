"""CTR-GCN, InfoGCN and InfoGCN's objective: from their configs, against the authors' settings."""
import os.path as osp
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import Registry

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from sfhead_mm.models.backbones.ctrgcn import CTRGCN
from sfhead_mm.models.losses.infogcn_loss import InfoGCNLoss
from sfhead_mm.models.utils.graph import (ancestor_matrix, bone_tree_parents,
                                          partitioned_adjacency)
from sfhead_mm.models.utils.registration import register_beside
from sfhead_mm.skeleton import get_layout
from tests.conftest import REPO

# Whole recognizer (backbone + head), NTU-120, 3D joints, 120 classes, joint stream, as the
# authors' code builds it (counted from Uason-Chen/CTR-GCN and stnoah1/infogcn).
PARAM_TARGETS = {'ctrgcn': 1_462_092, 'infogcn': 1_572_227}
BLOCKS = {'ctrgcn': 10, 'infogcn': 9}


def build(config: str):
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    return MODELS.build(cfg.model)


def batch(n=2, m=2, t=8, v=25, classes=(0, 1)):
    torch.manual_seed(0)
    x = torch.randn(n, 1, m, t, v, 3)
    return x, [ActionDataSample().set_gt_label(classes[i % len(classes)]) for i in range(n)]


def num_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize('name', sorted(PARAM_TARGETS))
def test_parameter_count_matches_authors(name):
    model = build(f'{name}_ntu120.py')
    target = PARAM_TARGETS[name]
    assert abs(num_params(model) - target) / target < 0.02, num_params(model)


@pytest.mark.parametrize('name', sorted(PARAM_TARGETS))
def test_full_size_config_trains_with_sf_head_in_every_block(name):
    """The SF-Head config of each backbone: every block tapped, all loss terms, both modes."""
    model = build(f'{name}_sfhead_ntu120.py')
    assert len(model.plugins[0].heads) == BLOCKS[name]
    x, samples = batch()
    model.train()
    losses = model(x, samples, mode='loss')
    expected = {'loss_cls', 'loss_con', 'loss_red'}
    if name == 'infogcn':
        expected |= {'loss_mmd', 'loss_z_mean'}
    assert expected <= set(losses)
    assert all(torch.isfinite(losses[k]) for k in expected)
    sum(losses[k] for k in expected).backward()
    assert all(p.grad is not None for p in model.parameters()), \
        [n for n, p in model.named_parameters() if p.grad is None]
    model.eval()
    with torch.no_grad():
        out = model(x, samples, mode='predict')
    assert out[0].pred_score.shape == (120, )


@pytest.mark.parametrize('name', sorted(PARAM_TARGETS))
def test_nw_ucla_variant_builds_and_runs(name):
    model = build(f'{name}/{name}_nwucla.py')
    assert model.backbone.num_joints == 20 and model.backbone.num_person == 1
    x, samples = batch(m=1, v=20)
    model.eval()
    with torch.no_grad():
        assert model(x, samples, mode='predict')[0].pred_score.shape == (10, )


@pytest.mark.parametrize('backbone', ['CTRGCN', 'InfoGCN'])
def test_input_mismatch_names_the_config_key(backbone):
    model = MODELS.build(dict(type=backbone, graph_cfg=dict(layout='nturgb+d'),
                              base_channels=16))
    with pytest.raises(ValueError, match='graph_cfg.layout'):
        model(torch.randn(1, 2, 8, 20, 3))
    with pytest.raises(ValueError, match='in_channels=3'):
        model(torch.randn(1, 2, 8, 25, 2))
    with pytest.raises(ValueError, match='num_person=2'):
        model(torch.randn(1, 1, 8, 25, 3))


# ---------------------------------------------------------------- graphs from the layouts
def test_ctrgcn_graph_is_the_authors_bone_tree():
    """The authors' NTU graph chains hand tip -> thumb -> hand; MMAction2's links both to the hand.

    Subset 1 (inward) is column-normalised ``edge2mat``: ``A[parent, child] = 1 / indegree``.
    """
    layout = get_layout('nturgb+d')
    tip, thumb, hand = (layout.joints.index(j) for j in
                        ('left_hand_tip', 'left_thumb', 'left_hand'))
    bones = partitioned_adjacency(dict(layout='nturgb+d', mode='spatial', edges='bones'))
    stock = partitioned_adjacency(dict(layout='nturgb+d', mode='spatial', edges='layout'))
    assert bones[1][thumb, tip] > 0 and bones[1][hand, tip] == 0
    assert stock[1][hand, tip] > 0 and stock[1][thumb, tip] == 0
    # The two graphs differ on the four hand joints' edges only.
    rows, cols = np.nonzero(np.abs(bones - stock).sum(0))
    changed = {layout.joints[i] for i in np.concatenate([rows, cols])}
    assert changed == {'left_hand', 'left_hand_tip', 'left_thumb', 'right_hand',
                       'right_hand_tip', 'right_thumb'}
    ctr = CTRGCN(graph_cfg=dict(layout='nturgb+d'), base_channels=16)
    assert torch.allclose(ctr.net[0].gcn.PA, torch.from_numpy(bones))


def test_infogcn_embedding_is_relative_to_the_kth_ancestor():
    layout = get_layout('nturgb+d')
    parents = bone_tree_parents(layout)
    root = layout.joints.index('spine_mid')  # the authors' root (normalisation centre)
    assert parents[root] == -1
    assert parents[layout.joints.index('spine_shoulder')] == root
    x = np.random.default_rng(0).normal(size=(25, 3)).astype(np.float32)
    for k in (1, 2):
        rel = (np.eye(25) - ancestor_matrix(layout, k)) @ x
        for j in range(25):
            a = j
            for _ in range(k):
                a = parents[a] if a >= 0 else a
            expected = x[j] - x[a] if a >= 0 else x[j]
            assert np.allclose(rel[j], expected, atol=1e-6), (k, layout.joints[j])
    with pytest.raises(ValueError, match='k must be >= 1'):
        ancestor_matrix(layout, 0)


# ---------------------------------------------------------------- InfoGCN head and loss
def infogcn_head(**kwargs):
    return MODELS.build(dict(type='InfoGCNHead', num_classes=6, in_channels=16, **kwargs))


def test_infogcn_priors_are_orthogonal_saved_and_latent_is_sampled_only_in_training():
    head = infogcn_head(prior_gain=3.0)
    prior = head.z_prior
    assert torch.allclose(prior @ prior.t(), 9 * torch.eye(6), atol=1e-4)
    assert 'z_prior' in head.state_dict()
    feats = torch.randn(4, 2, 16, 3, 5)
    head.eval()
    assert torch.equal(head(feats), head(feats))  # z = mu at inference
    head.train()
    assert not torch.equal(head(feats), head(feats))  # z = mu + eps * std


def test_infogcn_head_loss_terms_and_their_checks():
    head = infogcn_head()
    head.train()
    feats = torch.randn(4, 2, 16, 3, 5)
    samples = [ActionDataSample().set_gt_label(i % 3) for i in range(4)]
    losses = head.loss(feats, samples)
    assert {'loss_cls', 'loss_mmd', 'loss_z_mean', 'top1_acc'} <= set(losses)
    assert all(torch.isfinite(v) for k, v in losses.items() if k.startswith('loss'))
    with pytest.raises(RuntimeError, match='no latent recorded'):
        head.loss_by_feat(torch.randn(4, 6), samples)
    head(feats)
    with pytest.raises(RuntimeError, match='not those of the'):
        head.loss_by_feat(torch.randn(4, 6), samples)


def test_infogcn_head_takes_a_float32_copy_of_its_bf16_scores_nan_included():
    """PluginRecognizerGCN (``--amp``) hands the head a float32 copy of its bf16 scores; when a
    run diverges they hold a nan, and the loss must say so (nan), not that the scores are not
    the head's."""
    head = infogcn_head()
    head.train()
    feats = torch.randn(4, 2, 16, 3, 5)
    samples = [ActionDataSample().set_gt_label(i % 3) for i in range(4)]
    with torch.autocast('cpu', dtype=torch.bfloat16):
        scores = head(feats)
    assert scores.dtype == torch.bfloat16
    losses = head.loss_by_feat(scores.float(), samples)
    assert torch.isfinite(losses['loss_cls'])
    feats[0] = float('nan')
    with torch.autocast('cpu', dtype=torch.bfloat16):
        scores = head(feats)
    losses = head.loss_by_feat(scores.float(), samples)
    assert torch.isnan(losses['loss_cls'])
    head(feats)
    with pytest.raises(RuntimeError, match='not those of the'):  # other values: still refused
        head.loss_by_feat(scores.float() + 1, samples)


def test_infogcn_loss_terms():
    torch.manual_seed(0)
    K, D, N = 5, 8, 10
    scores, labels = torch.randn(N, K), torch.arange(N) % K
    prior = torch.nn.init.orthogonal_(torch.empty(K, D), gain=3)
    plain = InfoGCNLoss(smoothing=0.0, lambda_mmd=1.0, lambda_z_mean=1.0)
    # Without smoothing the classification term is the cross-entropy.
    out = plain(scores, labels, z=prior[labels], z_prior=prior)
    assert torch.allclose(out['loss_cls'], F.cross_entropy(scores, labels))
    # Latents on their priors: no discrepancy; shifted by 1 everywhere: a mean square of 1.
    assert out['loss_mmd'].abs() < 1e-6
    shifted = plain(scores, labels, z=prior[labels] + 1, z_prior=prior)
    assert torch.allclose(shifted['loss_mmd'], torch.tensor(1.0))
    z = torch.randn(N, D)
    assert torch.allclose(plain(scores, labels, z=z, z_prior=prior)['loss_z_mean'],
                          z.mean(0).norm())
    # Smoothing eps mixes in the mean negative log-probability; weights scale their terms.
    smooth = InfoGCNLoss(smoothing=0.1, lambda_mmd=0.5)(scores, labels, z=z, z_prior=prior)
    log_p = F.log_softmax(scores, -1)
    assert torch.allclose(smooth['loss_cls'], 0.9 * F.cross_entropy(scores, labels)
                          + 0.1 * -log_p.mean())
    assert torch.allclose(smooth['loss_mmd'],
                          0.5 * plain(scores, labels, z=z, z_prior=prior)['loss_mmd'])
    with pytest.raises(ValueError, match='needs the latent'):
        plain(scores, labels)


# ---------------------------------------------------------------- registration
class _ProjectCTRGCN:  # stands in for MMAction2's projects/ctrgcn class
    pass


def test_ctrgcn_is_registered_under_both_names():
    assert MODELS.module_dict['CTRGCN'] is CTRGCN
    assert MODELS.module_dict['CTRGCN_sfhead_mm'] is CTRGCN


def test_registration_beside_a_project_that_took_the_name_first():
    registry = Registry('test models')
    registry.register_module(name='CTRGCN', module=_ProjectCTRGCN)
    with pytest.warns(UserWarning, match="type='CTRGCN_sfhead_mm'"):
        register_beside(registry, CTRGCN, name='CTRGCN', alias='CTRGCN_sfhead_mm')
    assert registry.get('CTRGCN') is _ProjectCTRGCN
    assert registry.get('CTRGCN_sfhead_mm') is CTRGCN
    # Registering again (a re-import) neither crashes nor takes the name.
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        register_beside(registry, CTRGCN, name='CTRGCN', alias='CTRGCN_sfhead_mm')
    assert registry.get('CTRGCN') is _ProjectCTRGCN

    free = Registry('free models')
    register_beside(free, CTRGCN, name='CTRGCN', alias='CTRGCN_sfhead_mm')
    register_beside(free, CTRGCN, name='CTRGCN', alias='CTRGCN_sfhead_mm')  # idempotent
    assert free.get('CTRGCN') is CTRGCN
