"""AmbiguousGroupMetric: accuracy on groups of look-alike actions, next to MMAction2's AccMetric.

SF-Head (and FR-Head) claim gains on *ambiguous* actions; top-1 over all classes hides them.
This metric reports, per group of look-alike classes, how often each member is recognised and how
often it is mistaken for another member of its own group.
"""
import logging
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MessageHub, MMLogger, print_log

from mmaction.registry import METRICS
from ...utils.atomic_write import write_json
from ..functional.group_accuracy import (DIFFICULTY_LEVELS, as_json_number, class_accuracy,
                                         confusion_matrix, data_driven_groups,
                                         difficulty_levels, groups_summary, json_list,
                                         mapping_to_json, mean_accuracy_of, nanmean)
from ..group_spec import (ClassNamesSpec, GroupSet, GroupsSpec, MissingClassNames,
                          load_class_names, resolve_groups, resolve_member, slugify)
from ..result_files import REPORT_FORMAT, load_results
from .samples import single_label_scores


@METRICS.register_module()
class AmbiguousGroupMetric(BaseMetric):
    """Per-group accuracy and within-group confusion of look-alike action classes.

    Use it next to ``AccMetric`` (keep ``AccMetric`` first: ``save_best='auto'`` picks the first
    key)::

        val_evaluator = [dict(type='AccMetric'),
                         dict(type='AmbiguousGroupMetric', groups='ntu120_sfhead9')]

    Scalars, under the prefix ``ambiguous/`` (accuracies as fractions, like ``AccMetric``):

    * ``top1``: top-1 over every sample whose true class belongs to a group (the prediction is
      the argmax over *all* classes);
    * ``group_mean``: mean over groups of each group's accuracy (the mean of its members'
      per-class accuracies);
    * ``confusion``: share of the group-class samples predicted as another member of a group
      of their class;
    * ``<group>/acc`` and ``<group>/confusion`` for every group;
    * ``<group>/acc_<class>`` per member, only with ``per_class_scalars=True`` (otherwise the
      per-class accuracies go to the log table and the JSON report, not to 100 scalars);
    * ``difficulty/{hard,medium,easy}`` with ``difficulty_reference``;
    * ``data_driven/group_mean`` with ``data_driven``.

    A class with no sample in the evaluated split is *absent*: it is shown as such in the table,
    ``null`` in the JSON, left out of every mean, and a group whose members are all absent has
    no scalar. Each process stores only ``(label, prediction, num_classes)`` per sample, so
    distributed gathering is cheap and the sample order does not matter.

    Args:
        groups (str | dict | list): A built-in group set (``'ntu120_sfhead9'`` (alias
            ``'ntu60_sfhead9'``), ``'nwucla_lookalike'``, ``'synthetic'``), a path to a group
            JSON file, a dict ``{name: [class, ...]}`` or a list of class lists; a class is an
            index or a name. See :mod:`sfhead_mm.evaluation.group_spec`.
        class_names (list[str] | str, optional): The dataset's class names (index = label), or
            a ``.txt`` (one per line) / ``.json`` file. Needed for classes given by name (the
            dataset's ``metainfo['classes']`` is used when present); used for display.
        per_class_scalars (bool): Also return every member's accuracy as a scalar.
        save_json (bool): Write the full confusion matrix, per-class accuracies and the group
            report as JSON (atomically) after each evaluation.
        out_dir (str, optional): Folder of the JSON. Default: the run's log folder
            (``work_dir/<timestamp>/``), else the current directory.
        out_file (str, optional): File name (template) of the JSON; may use ``{stage}``
            (``val``/``test``), ``{epoch}`` (completed training epochs) and ``{iter}``. Default
            ``ambiguous_{stage}_epoch{epoch}.json`` in a training run, else
            ``ambiguous_{stage}.json``.
        difficulty_reference (str, optional): A result file (``tools/test.py --dump`` pickle or
            this metric's JSON) of a reference model; its per-class accuracy sorts the classes
            into FR-Head's levels (hard < 70 %, medium 70-90 %, easy > 90 %) and the metric
            reports this model's mean per-class accuracy on each level.
        difficulty_thresholds (tuple[float]): The level boundaries. Defaults to (0.7, 0.9).
        data_driven (dict, optional): FR-Head's data-driven groups: ``dict(anchors='all' or
            [class, ...], k=3, reference=None)``. Each anchor with the ``k`` classes its samples
            are most often predicted as, counted in ``reference`` (a result file) or, when
            ``None``, in the evaluated results themselves.
        collect_device (str): ``'cpu'`` or ``'gpu'``, for gathering across ranks.
        prefix (str, optional): Key prefix. Defaults to ``'ambiguous'``.
    """
    default_prefix: Optional[str] = 'ambiguous'

    def __init__(self,
                 groups: GroupsSpec = 'ntu120_sfhead9',
                 class_names: ClassNamesSpec = None,
                 per_class_scalars: bool = False,
                 save_json: bool = False,
                 out_dir: Optional[str] = None,
                 out_file: Optional[str] = None,
                 difficulty_reference: Optional[str] = None,
                 difficulty_thresholds: Tuple[float, float] = (0.7, 0.9),
                 data_driven: Optional[dict] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self._groups_spec = groups
        self._user_names = load_class_names(class_names)
        self.per_class_scalars = per_class_scalars
        self.save_json = save_json
        self.out_dir = out_dir
        self.out_file = out_file
        self.group_set: Optional[GroupSet] = None
        self._resolve()  # fail at build time on a bad spec, when the names are known

        self.difficulty_thresholds = tuple(difficulty_thresholds)
        self.difficulty_reference = difficulty_reference
        self._reference_acc = None
        if difficulty_reference is not None:
            # loaded now so that a wrong path fails when the runner is built, not after training
            self._reference_acc = load_results(difficulty_reference).class_accuracy()[0]
            difficulty_levels(self._reference_acc, self.difficulty_thresholds)  # checks them

        self.data_driven = None
        if data_driven is not None:
            unknown = set(data_driven) - {'anchors', 'k', 'reference'}
            if unknown:
                raise ValueError(f'data_driven has unknown keys {sorted(unknown)} '
                                 f'(expected anchors, k, reference)')
            cfg = dict(anchors='all', k=3, reference=None)
            cfg.update(data_driven)
            if int(cfg['k']) < 1:
                raise ValueError(f'data_driven k must be >= 1, got {cfg["k"]}')
            ref = cfg['reference']
            cfg['reference_cm'] = None if ref is None else load_results(ref).confusion
            self.data_driven = cfg
            self._anchor_labels()  # checks the anchors when the names are known
        self._absent_warned = False
        #: The last evaluation's log table and JSON report (also for tools that print them).
        self.last_table: Optional[str] = None
        self.last_report: Optional[Dict] = None

    # -- class names and groups -------------------------------------------------------------
    def _names(self) -> Optional[List[str]]:
        if self._user_names is not None:
            return self._user_names
        meta = self._dataset_meta or {}
        classes = meta.get('classes') if isinstance(meta, dict) else None
        return list(classes) if classes else None

    def _resolve(self) -> None:
        try:
            self.group_set = resolve_groups(self._groups_spec, self._names())
        except MissingClassNames:
            # names may come later from the dataset's metainfo; compute_metrics re-raises
            self.group_set = None

    @BaseMetric.dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        self._dataset_meta = dataset_meta
        if self._user_names is None and dataset_meta and dataset_meta.get('classes'):
            self._resolve()

    def _anchor_labels(self, num_classes: Optional[int] = None,
                       cm: Optional[np.ndarray] = None) -> Optional[List[int]]:
        anchors = self.data_driven['anchors']
        if anchors == 'all':
            if cm is None:
                return None
            return [int(c) for c in np.flatnonzero(cm.sum(axis=1))]
        if isinstance(anchors, (str, int)):
            anchors = [anchors]
        names = self._names()
        if names is None and self.group_set is not None:
            # a group file with the dataset's full class list (NW-UCLA, synthetic) names them
            known = self.group_set.class_names
            if known and sorted(known) == list(range(len(known))):
                names = [known[i] for i in range(len(known))]
        if names is None and any(isinstance(a, str) for a in anchors):
            if num_classes is None:
                return None  # the dataset's names may still come
        labels = [resolve_member(a, 'data_driven anchors', names)[0] for a in anchors]
        if num_classes is not None:
            for a in labels:
                if a >= num_classes:
                    raise ValueError(f'data_driven anchor {a} is beyond the {num_classes} '
                                     f'predicted classes')
        return labels

    def _display(self, label: int) -> str:
        return self.group_set.display_name(label)

    # -- per batch ---------------------------------------------------------------------------
    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep ``(label, predicted class, number of classes)`` of every sample.

        Args:
            data_batch: Unused.
            data_samples (Sequence[dict]): Outputs with ``pred_score`` (C,) and ``gt_label``.
        """
        for _, score, label in single_label_scores(data_samples, 'AmbiguousGroupMetric'):
            self.results.append((label, int(score.argmax()), int(score.numel())))

    # -- after gathering -----------------------------------------------------------------------
    def compute_metrics(self, results: List[Tuple[int, int, int]]) -> Dict[str, float]:
        """Scalars (without the prefix); logs a table; optionally writes the JSON report."""
        if self.group_set is None:  # raises the error that explains which name is missing
            self.group_set = resolve_groups(self._groups_spec, self._names())
        if not results:
            raise ValueError('AmbiguousGroupMetric got no results to evaluate')
        num_classes = {r[2] for r in results}
        if len(num_classes) != 1:
            raise ValueError(f'samples have different numbers of class scores: '
                             f'{sorted(num_classes)}')
        C = num_classes.pop()
        self.group_set.check_num_classes(C)
        labels = np.fromiter((r[0] for r in results), dtype=np.int64, count=len(results))
        preds = np.fromiter((r[1] for r in results), dtype=np.int64, count=len(results))
        cm = confusion_matrix(labels, preds, C)
        metrics, report = self.evaluate_confusion(cm)
        self.last_table = self._table(report)
        print_log(self.last_table, logger='current')
        absent = report['summary']['absent']
        if absent:
            msg = ('AmbiguousGroupMetric: group classes absent from the evaluated split '
                   '(reported as absent, left out of every mean): '
                   + ', '.join(f'{self._display(c)!r} ({c})' for c in absent))
            print_log(msg, logger='current',
                      level=logging.INFO if self._absent_warned else logging.WARNING)
            self._absent_warned = True
        self.last_report = report
        if self.save_json:
            path = self._json_path()
            write_json(path, report)
            print_log(f'AmbiguousGroupMetric: report written to {path}', logger='current')
        return metrics

    @classmethod
    def reported_groups(cls, metrics: Dict[str, Any]) -> List[str]:
        """The groups whose accuracy ``metrics`` (this metric's scalars with their prefix, e.g.
        a test's ``metrics.json``) holds, in their order there."""
        head = f'{cls.default_prefix}/'
        return [k[len(head):-len('/acc')] for k in metrics
                if k.startswith(head) and k.endswith('/acc') and k.count('/') == 2]

    def evaluate_confusion(self, cm: np.ndarray) -> Tuple[Dict[str, float], Dict]:
        """Scalars and the JSON-ready report of one confusion matrix (C, C)."""
        gs = self.group_set
        C = cm.shape[0]
        acc, support = class_accuracy(cm)
        summary = groups_summary(cm, [(g.name, g.classes) for g in gs.groups])
        metrics: Dict[str, float] = {}

        def put(key, value):
            if not np.isnan(value):  # absent -> no scalar (never a fake 0 %)
                metrics[key] = float(value)

        put('top1', summary['top1'])
        put('group_mean', summary['group_mean'])
        put('confusion', summary['confusion'])
        groups_json = {}
        for g in gs.groups:
            st = summary['groups'][g.name]
            put(f'{g.name}/acc', st['mean_acc'])
            put(f'{g.name}/confusion', st['confusion_rate'])
            to_group = []
            for c in g.classes:
                others = [o for o in g.classes if o != c]
                to_group.append(cm[c, others].sum() / support[c] if support[c] else np.nan)
                if self.per_class_scalars:
                    put(f'{g.name}/acc_{slugify(self._display(c))}', acc[c])
            entry = mapping_to_json(st)
            entry['class_names'] = [self._display(c) for c in g.classes]
            entry['to_group'] = json_list(to_group)
            groups_json[g.name] = entry

        report: Dict[str, Any] = dict(
            format=REPORT_FORMAT,
            groups_name=gs.name,
            num_classes=C,
            num_samples=int(cm.sum()),
            class_names=[gs.class_names.get(i) for i in range(C)],
            per_class=dict(accuracy=json_list(acc), support=[int(s) for s in support]),
            summary=mapping_to_json({k: v for k, v in summary.items() if k != 'groups'}),
            groups=groups_json,
            confusion_matrix=cm.tolist())

        if self._reference_acc is not None:
            ref = self._reference_acc
            if len(ref) != C:
                raise ValueError(f'difficulty_reference {self.difficulty_reference!r} has '
                                 f'{len(ref)} classes, the predictions {C}')
            levels = difficulty_levels(ref, self.difficulty_thresholds)
            level_json = {}
            for level in DIFFICULTY_LEVELS:
                value = mean_accuracy_of(acc, levels[level])
                put(f'difficulty/{level}', value)
                level_json[level] = dict(classes=levels[level], mean_acc=as_json_number(value),
                                         reference_mean_acc=as_json_number(
                                             mean_accuracy_of(ref, levels[level])))
            report['difficulty'] = dict(reference=self.difficulty_reference,
                                        thresholds=list(self.difficulty_thresholds),
                                        levels=level_json)

        if self.data_driven is not None:
            source = self.data_driven['reference_cm']
            if source is not None and source.shape != cm.shape:
                raise ValueError(f'data_driven reference {self.data_driven["reference"]!r} has '
                                 f'{source.shape[0]} classes, the predictions {C}')
            source = cm if source is None else source
            anchors = self._anchor_labels(C, source)
            dd = []
            for members in data_driven_groups(source, anchors, int(self.data_driven['k'])):
                dd.append(dict(anchor=members[0], classes=members,
                               class_names=[self._display(c) for c in members],
                               accuracy=json_list(acc[members]),
                               mean_acc=as_json_number(mean_accuracy_of(acc, members))))
            mean = nanmean(np.nan if d['mean_acc'] is None else d['mean_acc'] for d in dd)
            put('data_driven/group_mean', mean)
            report['data_driven'] = dict(k=int(self.data_driven['k']),
                                         reference=self.data_driven['reference'], groups=dd,
                                         group_mean=as_json_number(mean))
        report['metrics'] = dict(metrics)
        return metrics, report

    # -- output ------------------------------------------------------------------------------
    def _table(self, report: Dict) -> str:
        s = report['summary']
        lines = [f'AmbiguousGroupMetric: groups {report["groups_name"]!r}, '
                 f'{s["samples"]} of {report["num_samples"]} samples in group classes',
                 f'{"group / class":<44}{"samples":>8}{"acc %":>9}{"in-group conf %":>18}']

        def pct(v):
            return '  absent' if v is None else f'{100 * v:8.2f}'

        for name, g in report['groups'].items():
            lines.append(f'{name:<44}{g["samples"]:>8}{pct(g["mean_acc"]):>9}'
                         f'{pct(g["confusion_rate"]):>18}')
            for c, cname, n, a, t in zip(g['classes'], g['class_names'], g['support'],
                                         g['accuracy'], g['to_group']):
                label = f'  {cname} ({c})'
                lines.append(f'{label[:44]:<44}{n:>8}{pct(a):>9}{pct(t):>18}')
        lines.append(f'all groups: top-1 {pct(s["top1"]).strip()} %, mean over groups '
                     f'{pct(s["group_mean"]).strip()} %, within-group confusion '
                     f'{pct(s["confusion"]).strip()} %')
        if 'difficulty' in report:
            lv = report['difficulty']['levels']
            lines.append('difficulty (reference ' + report['difficulty']['reference'] + '): ' +
                         ', '.join(f'{k} {pct(v["mean_acc"]).strip()} % '
                                   f'({len(v["classes"])} classes)' for k, v in lv.items()))
        if 'data_driven' in report:
            dd = report['data_driven']
            lines.append(f'data-driven groups (k={dd["k"]}): {len(dd["groups"])} anchors, '
                         f'mean group accuracy {pct(dd["group_mean"]).strip()} %')
        if s['absent']:
            lines.append('absent (no sample in this split, left out of every mean): ' +
                         ', '.join(f'{self._display(c)} ({c})' for c in s['absent']))
        return '\n'.join(lines)

    def _json_path(self) -> str:
        hub = MessageHub.get_current_instance()
        stage = hub.get_info('loop_stage') or 'eval'
        epoch, it = hub.get_info('epoch'), hub.get_info('iter')
        # the hub records the 0-based epoch at its start; evaluation follows its end
        fields = dict(stage=stage, epoch=(epoch + 1) if epoch is not None else 0,
                      iter=(it + 1) if it is not None else 0)
        template = self.out_file or ('ambiguous_{stage}_epoch{epoch}.json'
                                     if epoch is not None else 'ambiguous_{stage}.json')
        try:
            name = template.format(**fields)
        except (KeyError, IndexError) as e:
            raise ValueError(f'out_file {template!r}: unknown placeholder {e} (use {{stage}}, '
                             f'{{epoch}}, {{iter}})') from None
        return osp.join(self.out_dir or _log_dir() or os.getcwd(), name)


def _log_dir() -> Optional[str]:
    """The current run's log folder (``work_dir/<timestamp>``), from the logger's file."""
    logger = MMLogger.get_current_instance()
    for handler in logger.handlers:
        filename = getattr(handler, 'baseFilename', None)
        if filename:
            return osp.dirname(filename)
    return None
