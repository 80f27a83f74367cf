"""Staging labels as Secrets Manager moves them, and the versions it prunes.

- A label is attached to at most one version; attaching it elsewhere takes it from where it was.
- When AWSCURRENT leaves a version, that version gets AWSPREVIOUS (taken from wherever it was). When a *new*
  version takes AWSCURRENT, the version it leaves also loses AWSPENDING: the rotation it staged is over (AWS's
  recorded answers show exactly this for PutSecretValue after a rotation-style label move).
- A version without labels is deprecated: ListSecretVersionIds omits it unless asked, and once a secret has
  more than 100 versions, deprecated versions older than 24 hours are deleted, oldest first ("Secrets Manager
  removes outdated versions when there are more than 100, but it does not remove versions created less than 24
  hours ago").
- Labels are kept sorted, as AWS returns them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from shieldwall.errors import AwsError
from shieldwall.services.secretsmanager import errors
from shieldwall.services.secretsmanager.models import AWSCURRENT, AWSPENDING, AWSPREVIOUS, Secret, Version

MAX_VERSIONS = 100
MAX_STAGES = 20
KEEP_YOUNGER_THAN = timedelta(hours=24)


def attach(secret: Secret, version: Version, stages: Sequence[str], *, new: bool = False) -> None:
    """Attach `stages` to `version` (already in `secret.versions`), moving each from its holder."""
    for stage in dict.fromkeys(stages):
        holder = secret.staged(stage)
        if holder is version:
            continue
        if holder is not None:
            holder.stages.remove(stage)
            if stage == AWSCURRENT:
                _left_current(secret, holder, new)
        version.stages.append(stage)
    _check_count(version)
    version.stages.sort()


def _left_current(secret: Secret, previous: Version, new: bool) -> None:
    if new and AWSPENDING in previous.stages:
        previous.stages.remove(AWSPENDING)
    holder = secret.staged(AWSPREVIOUS)
    if holder is not None and holder is not previous:
        holder.stages.remove(AWSPREVIOUS)
    if AWSPREVIOUS not in previous.stages:
        previous.stages.append(AWSPREVIOUS)
        _check_count(previous)
        previous.stages.sort()


def _check_count(version: Version) -> None:
    if len(version.stages) > MAX_STAGES:
        raise errors.limit_exceeded(
            f"A version can have at most {MAX_STAGES} staging labels; version {version.version_id} would have "
            f"{len(version.stages)}."
        )


def move(secret: Secret, stage: str, remove_from: str | None, move_to: str | None) -> None:
    """UpdateSecretVersionStage: take `stage` from `remove_from` and/or give it to `move_to`."""
    source = _named_version(secret, remove_from)
    target = _named_version(secret, move_to)
    holder = secret.staged(stage)
    if holder is not None and holder is not target and (source is None or source is not holder):
        raise _must_name_holder(stage, holder, remove_from)
    if source is not None and stage not in source.stages:
        raise errors.invalid_parameter(
            f"The staging label {stage} is not attached to version {source.version_id}, so you can't remove it "
            "from that version."
        )
    if target is None:
        if stage == AWSCURRENT and source is not None:
            raise errors.invalid_parameter(
                "You can't remove the staging label AWSCURRENT without moving it to another version: specify "
                "MoveToVersionId."
            )
        if source is not None:
            source.stages.remove(stage)
        return
    attach(secret, target, [stage])


def _named_version(secret: Secret, version_id: str | None) -> Version | None:
    if version_id is None:
        return None
    version = secret.version(version_id)
    if version is None:
        raise errors.version_not_found(version_id)
    return version


def _must_name_holder(stage: str, holder: Version, given: str | None) -> Exception:
    if given is None:
        return errors.invalid_parameter(
            f"The parameter RemoveFromVersionId can't be empty. Staging label {stage} is currently attached to "
            f"version {holder.version_id}, so you must explicitly reference that version in RemoveFromVersionId."
        )
    return errors.invalid_parameter(
        f"The parameter RemoveFromVersionId is invalid. Staging label {stage} is currently attached to version "
        f"{holder.version_id}, so you must explicitly reference that version in RemoveFromVersionId."
    )


def prunable(secret: Secret, now: datetime) -> list[Version]:
    """Deprecated versions to delete so the secret keeps at most 100 (none younger than 24 hours)."""
    excess = len(secret.versions) - MAX_VERSIONS
    if excess <= 0:
        return []
    old = [v for v in secret.versions if not v.stages and now - v.created >= KEEP_YOUNGER_THAN]
    return old[:excess]


def pick(secret: Secret, version_id: str | None, stage: str | None) -> Version:
    """The version GetSecretValue reads: by id and/or label (AWSCURRENT when neither is given)."""
    if version_id is not None:
        version = secret.version(version_id)
        if version is None:
            raise errors.version_not_found(version_id)
        if stage is not None and stage not in version.stages:
            raise errors.stage_mismatch()
        return version
    label = stage or AWSCURRENT
    staged = secret.staged(label)
    if staged is None:
        raise errors.stage_not_found(label)
    return staged


def try_pick(secret: Secret, version_id: str | None, stage: str | None) -> Version | None:
    try:
        return pick(secret, version_id, stage)
    except AwsError:
        return None
