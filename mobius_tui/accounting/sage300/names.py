"""Field names Sage's own samples do not confirm, read from the server's ``$metadata`` at connect.

Sage publishes no sample that shows the A/P vendor's terms field, how a G/L batch is set ready to
post, or the number an I/C transfer is given; a wrong name would stop every run (the Web API refuses
unknown properties, in bodies and in ``$select``). So each is taken from the candidates the server's
metadata lists, in order of preference, and when it lists none the run goes on without that field
and the check says which one is missing.
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from mobius_tui.accounting.sage300.client import WebApiClient, WebApiError

# name → (module, entity set, candidate property names, what goes without it)
_CANDIDATES: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "vendor_terms": ("AP", "APVendors", ("Terms", "TermsCode"),
                     "vendors are created without terms and their terms are not read"),
    "gl_ready": ("GL", "GLJournalBatches", ("ReadyToPost", "Status"),
                 "G/L batches are left open instead of set Ready To Post"),
    "transfer_number": ("IC", "ICTransfers", ("TransferNumber",),
                        "I/C transfers are reported by their sequence number"),
}
# The value each G/L ready-to-post field takes (UNCONFIRMED for Status: the enum member's name).
GL_READY_VALUES = {"ReadyToPost": "Yes", "Status": "ReadyToPost"}


@dataclass(frozen=True)
class WireNames:
    vendor_terms: str = "Terms"
    gl_ready: str = "ReadyToPost"
    transfer_number: str = "TransferNumber"
    missing: tuple[str, ...] = field(default=())  # sentences for the check: which field, what happens

    def gl_ready_body(self) -> dict[str, str] | None:
        return {self.gl_ready: GL_READY_VALUES[self.gl_ready]} if self.gl_ready else None


def entity_properties(edmx: str) -> dict[str, set[str]]:
    """Entity set name → its entity type's property names, from an EDMX document (OData v3 or v4)."""
    root = ET.fromstring(edmx)
    types: dict[str, set[str]] = {}
    sets: dict[str, str] = {}
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "EntityType":
            types[element.get("Name", "")] = {
                child.get("Name", "") for child in element if child.tag.rsplit("}", 1)[-1] in
                ("Property", "NavigationProperty")}
        elif tag == "EntitySet":
            sets[element.get("Name", "")] = element.get("EntityType", "").rsplit(".", 1)[-1]
    return {name: types.get(type_name, set()) for name, type_name in sets.items()}


async def load_names(client: WebApiClient) -> WireNames:
    """The names this server uses. A module whose metadata cannot be read (not activated, no right,
    no metadata served) keeps the default names: reading its records would fail anyway."""
    async def read(module: str) -> dict[str, set[str]]:
        try:
            return entity_properties(await client.get_metadata(module))
        except (WebApiError, ET.ParseError):
            return {}

    properties: dict[str, set[str]] = {}
    # The modules' documents are read at once: at connect, each would otherwise cost a round trip.
    for found in await asyncio.gather(*(read(m) for m in sorted({m for m, *_ in _CANDIDATES.values()}))):
        properties.update(found)
    chosen: dict[str, str] = {}
    missing: list[str] = []
    for name, (_module, entity_set, candidates, without) in _CANDIDATES.items():
        if entity_set not in properties:
            continue
        found = next((c for c in candidates if c in properties[entity_set]), "")
        chosen[name] = found
        if not found:
            missing.append(f"{entity_set} has no {' or '.join(candidates)} field in this server's $metadata: {without}")
    return WireNames(**chosen, missing=tuple(missing))
