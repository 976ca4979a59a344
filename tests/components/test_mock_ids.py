"""The mocks answer with the id formats of pulumi-azuread 6.x (terraform-provider-azuread v3).

- `Application.id` is the resource id `/applications/<object id>` (what
  `ApplicationPassword.application_id` validates and the package's import docs show);
- `ServicePrincipal.id` is the bare object id (`d.SetId(id.ServicePrincipalId)`; import docs);
- the `getServicePrincipal` data source's id is `/servicePrincipals/<object id>`
  (`d.SetId(id.ID())`), its `objectId` the bare object id.

So a program that passed an `id` where an object id is needed would break under mocks too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.paths import example_config
from tests.pulumi_harness import (
    APPLICATION,
    GRANT,
    GRAPH_SP_OBJECT_ID,
    PASSWORD,
    SERVICE_PRINCIPAL,
    StackMocks,
    run_program,
)

GUID = 36


def test_ids_and_object_ids_as_azuread_6_shapes_them() -> None:
    config = example_config()
    config["odoo-outlook:app"]["adminConsent"] = True
    mocks = StackMocks()
    run = run_program(config, datetime(2026, 11, 25, tzinfo=UTC), mocks)
    app, sp = run.one(APPLICATION), run.one(SERVICE_PRINCIPAL)
    for password in run.of_type(PASSWORD):
        assert password.inputs["applicationId"] == f"/applications/{app.outputs['objectId']}"
    grant = run.one(GRANT)
    assert grant.inputs["resourceServicePrincipalObjectId"] == GRAPH_SP_OBJECT_ID
    assert grant.inputs["servicePrincipalObjectId"] == sp.outputs["objectId"]
    assert len(run.outputs["servicePrincipalObjectId"]) == GUID
