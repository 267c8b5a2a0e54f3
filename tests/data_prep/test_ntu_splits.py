"""NTU benchmark splits on the full official sample lists (generated from the id ranges)."""
import pytest

from data_prep import ntu_names

# Published split sizes (all samples), and after excluding the missing-skeleton samples.
OFFICIAL = {
    'ntu60': dict(total=56880, missing=302,
                  all=dict(xsub_train=40320, xsub_val=16560, xview_train=37920,
                           xview_val=18960),
                  kept=dict(xsub_train=40091, xsub_val=16487, xview_train=37646,
                            xview_val=18932)),
    'ntu120': dict(total=114480, missing=535,
                   all=None,
                   kept=dict(xsub_train=63026, xsub_val=50919, xset_train=54468,
                             xset_val=59477)),
}


@pytest.mark.parametrize('dataset', sorted(OFFICIAL))
def test_official_names_and_split_sizes(dataset):
    want = OFFICIAL[dataset]
    names = ntu_names.official_names(dataset)
    assert len(names) == len(set(names)) == want['total']
    missing = ntu_names.missing_skeletons(dataset)
    assert len(missing) == len(set(missing)) == want['missing']
    assert set(missing) <= set(names)
    if want['all']:
        sizes = {k: len(v) for k, v in ntu_names.make_splits(names, dataset).items()}
        assert sizes == want['all']
    missing = set(missing)
    kept = [n for n in names if n not in missing]
    splits = ntu_names.make_splits(kept, dataset)
    assert {k: len(v) for k, v in splits.items()} == want['kept']
    for bench in ntu_names.get_spec(dataset).benchmarks:
        train, val = set(splits[f'{bench}_train']), set(splits[f'{bench}_val'])
        assert not train & val and len(train | val) == len(kept)


def test_ntu120_contains_ntu60():
    n60, n120 = ntu_names.official_names('ntu60'), ntu_names.official_names('ntu120')
    assert set(n60) < set(n120)
    assert set(ntu_names.missing_skeletons('ntu60')) < set(ntu_names.missing_skeletons('ntu120'))
    assert all(ntu_names.in_dataset(ntu_names.parse_name(n), 'ntu60') for n in n60)
    new = set(n120) - set(n60)
    assert len(new) == 57600
    assert not any(ntu_names.in_dataset(ntu_names.parse_name(n), 'ntu60') for n in new)


def test_split_rules_on_single_names():
    def train(name, bench, dataset):
        return ntu_names.is_training(ntu_names.parse_name(name), bench, dataset)

    assert train('S001C001P001R001A001', 'xsub', 'ntu60')  # subject 1 trains
    assert not train('S001C001P003R001A001', 'xsub', 'ntu60')  # subject 3 tests
    assert not train('S001C001P001R001A001', 'xview', 'ntu60')  # camera 1 tests
    assert train('S001C002P001R001A001', 'xview', 'ntu60')
    assert train('S018C001P045R001A061', 'xsub', 'ntu120')  # NTU-120's added subjects
    assert train('S018C001P001R001A061', 'xset', 'ntu120')  # even setups train
    assert not train('S019C001P001R001A061', 'xset', 'ntu120')
    assert ntu_names.parse_name('S018C001P045R001A061').label == 60


def test_bad_names_are_rejected():
    for bad in ('S1C1P1R1A1', 'S001C001P001R001A001.skeleton', 's001c001p001r001a001', ''):
        with pytest.raises(ValueError, match='not an NTU RGB\\+D sample name'):
            ntu_names.parse_name(bad)
    assert ntu_names.sample_name_from_path('/a/b/S001C001P001R001A012.skeleton.npy') == \
        'S001C001P001R001A012'


def test_class_names():
    names = ntu_names.class_names('ntu120')
    assert len(names) == 120 and len(set(names)) == 120
    assert ntu_names.class_names('ntu60') == names[:60]
    assert names[0] == 'drink water' and names[57] == 'handshaking'
    assert names[119] == 'finger-guessing game (playing rock-paper-scissors)'
