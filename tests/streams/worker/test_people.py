"""The registered people as the worker keeps them and its detection process mirrors them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.core.attribution import Fingerprints, IdentityIndex, Person
from streams.core.consent import RegistryEntry, parse_consent
from streams.core.consent_events import encode_entry
from streams.core.keys import Keyring
from streams.worker.people import PeopleLog, PeopleUpdate, apply_update

NOW = datetime(2026, 11, 21, tzinfo=UTC)
RING = Keyring("k1", {"k1": bytes(range(32))})
MARIA = {"PERSON": ["Мария Сидорова"]}
OLEG = {"PERSON": ["Олег Смирнов"]}
GRANT = RegistryEntry(at=NOW, consent=parse_consent({"status": "granted", "scope": ["processing"]}))


def fingerprints(identity: dict[str, list[str]]) -> Fingerprints:
    return IdentityIndex(RING).fingerprints(identity)


def who(log: PeopleLog, name: str) -> Person:
    return log.snapshot().index.attribute("PERSON", name, None).person


def test_a_fresh_process_gets_everyone_then_only_what_changed() -> None:
    log = PeopleLog(RING)
    log.update("vk:1", fingerprints(MARIA), GRANT)
    full = log.since(None)
    assert full.full and full.keyring is RING and [c.subject_ref for c in full.changes] == ["vk:1"]
    mirror = apply_update(None, full)
    assert mirror.index.attribute("PERSON", "Марии Сидоровой", None).person is Person.REGISTERED

    log.update("VK:2 ", fingerprints(OLEG), GRANT)  # normalised like every subject_ref
    log.update("vk:1", None, None)  # erased
    delta = log.since(full.version)
    assert not delta.full and delta.keyring is None
    assert [(c.subject_ref, c.fingerprints is None) for c in delta.changes] == [
        ("vk:2", False),
        ("vk:1", True),
    ]
    mirror = apply_update(mirror, delta)
    assert mirror.index.attribute("PERSON", "Мария Сидорова", None).person is Person.THIRD_PARTY
    assert mirror.index.attribute("PERSON", "Олег Смирнов", None).person is Person.REGISTERED
    assert log.since(delta.version).changes == ()


def test_a_delta_without_the_state_it_follows_is_refused() -> None:
    with pytest.raises(ValueError, match="full"):
        apply_update(None, PeopleUpdate(False, 1, ()))


def test_table_entries_written_and_read_back_index_their_fingerprints_only() -> None:
    log = PeopleLog(RING)
    log.update_from_table(b"vk:1", encode_entry(GRANT, {"status": "granted"}, fingerprints(MARIA)))
    assert who(log, "Мария Сидорова") is Person.REGISTERED
    # An erasure entry keeps no fingerprints; a tombstone and an unreadable entry unindex.
    erased = RegistryEntry(at=NOW, consent=None, erased_at=NOW)
    log.update_from_table(b"vk:1", encode_entry(erased, None, fingerprints(MARIA)))
    assert who(log, "Мария Сидорова") is Person.THIRD_PARTY
    log.update_from_table(b"vk:1", encode_entry(GRANT, {"status": "granted"}, fingerprints(MARIA)))
    log.update_from_table(b"vk:1", b"{not json")
    assert who(log, "Мария Сидорова") is Person.THIRD_PARTY
    log.update_from_table(b"vk:1", encode_entry(GRANT, {"status": "granted"}, fingerprints(MARIA)))
    log.update_from_table(b"vk:1", None)
    assert who(log, "Мария Сидорова") is Person.THIRD_PARTY


def test_subjects_never_indexed_cost_nothing() -> None:
    log = PeopleLog(RING)
    log.update_from_table(b"vk:9", encode_entry(GRANT, {"status": "granted"}))  # no identity
    assert len(log) == 0 and log.version == 0


def test_fingerprints_under_a_key_gone_from_the_keyring_unindex_the_subject() -> None:
    other = Keyring("old", {"old": bytes(32)})
    log = PeopleLog(RING)
    log.update("vk:1", IdentityIndex(other).fingerprints(MARIA), GRANT)
    people = log.snapshot()
    assert len(people) == 0 and not people.entries
