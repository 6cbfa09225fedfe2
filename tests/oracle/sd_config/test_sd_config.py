"""No silent config keys, reference side: the key lists tests/engine/models/sd/config/keys.test.ts
checks the engine's rule tables against (reference-keys.json) must be the keys the installed
diffusers / transformers read. A new reference version that adds a key fails here until the key is
added to the snapshot, and then keys.test.ts fails until the engine honours or refuses it."""
import json

from conftest import REPO
from reference_keys import reference_keys

SNAPSHOT = REPO / "tests" / "engine" / "models" / "sd" / "config" / "reference-keys.json"


def test_snapshot_lists_every_key_the_reference_reads():
    installed = reference_keys()
    snapshot = json.loads(SNAPSHOT.read_text())
    for component in ("unet", "vae", "text_encoder", "scheduler"):
        new = sorted(set(installed[component]) - set(snapshot[component]))
        assert not new, f"{component}: the installed reference reads {new}, which reference-keys.json lacks; run `python tests/oracle/sd_config/reference_keys.py > {SNAPSHOT.relative_to(REPO)}` and give each key a rule"
