"""The client secret Odoo uses, as two `ApplicationPassword` slots that rotate in turn."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pulumi
import pulumi_azuread as azuread

from odoo_outlook.entra_limits import limits_for
from odoo_outlook.rotation import SecretSchedule, SecretSlot

# Declares the resources that hold the newest secret (the Odoo exports), given its value.
Holders = Callable[[pulumi.Output[str]], Sequence[pulumi.Resource]]


def _fmt(moment: object) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def slot_options(
    audience: str, parent: pulumi.Resource | None = None, depends_on: Sequence[pulumi.Resource] = ()
) -> pulumi.ResourceOptions:
    """The options of one secret slot for `audience` (a signInAudience manifest value).

    With a cap on `passwordCredentials` (two with personal accounts, `entra_limits`), a slot is
    replaced delete-before-create: a create-first replacement would briefly need a third
    secret, which Entra refuses. Without a cap the default create-then-delete keeps an overlap.
    """
    return pulumi.ResourceOptions(
        parent=parent,
        additional_secret_outputs=["value"],
        delete_before_replace=limits_for(audience).password_credentials is not None,
        depends_on=list(depends_on),
    )


class RotatingClientSecret(pulumi.ComponentResource):
    """Two secrets that take turns; `client_secret` is always the one Odoo must hold.

    Declaration order is the engine's step order: the held slot (renewed, if due, while Odoo
    still works on the other one), then `holders` (Odoo is updated to the held slot), then the
    other slot, which depends on the holders so it is replaced only after Odoo moved off it.
    """

    client_secret: pulumi.Output[str]
    client_secret_key_id: pulumi.Output[str]
    client_secret_expires_at: pulumi.Output[str]
    next_rotation_at: pulumi.Output[str]
    holders: list[pulumi.Resource]

    def __init__(
        self,
        name: str,
        application_id: pulumi.Input[str],
        schedule: SecretSchedule,
        audience: str,
        holders: Holders | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("odoo-outlook:secret:RotatingClientSecret", name, None, opts)
        held = self._password(name, application_id, schedule.current, slot_options(audience, self))
        self.client_secret = pulumi.Output.secret(held.value)
        self.client_secret_key_id = held.key_id
        self.holders = list(holders(self.client_secret)) if holders else []
        self._password(
            name, application_id, schedule.previous, slot_options(audience, self, self.holders)
        )
        self.client_secret_expires_at = pulumi.Output.from_input(_fmt(schedule.current.end_date))
        self.next_rotation_at = pulumi.Output.from_input(_fmt(schedule.next_rotation_at))
        self.register_outputs(
            {
                "clientSecret": self.client_secret,
                "clientSecretKeyId": self.client_secret_key_id,
                "clientSecretExpiresAt": self.client_secret_expires_at,
                "nextRotationAt": self.next_rotation_at,
            }
        )

    @staticmethod
    def _password(
        name: str,
        application_id: pulumi.Input[str],
        slot: SecretSlot,
        opts: pulumi.ResourceOptions,
    ) -> azuread.ApplicationPassword:
        # No start_date: Entra takes "now" at creation, and a past date would be rejected.
        # end_date and rotate_when_changed only change at this slot's boundary (or when forced),
        # so runs inside one epoch declare identical inputs.
        return azuread.ApplicationPassword(
            f"{name}-{slot.slot}",
            application_id=application_id,
            display_name=slot.display_name,
            end_date=slot.end_date_text,
            rotate_when_changed={"rotation": slot.rotate_key},
            opts=opts,
        )
