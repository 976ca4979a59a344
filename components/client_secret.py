"""The client secret Odoo uses, as two `ApplicationPassword` slots that rotate in turn."""

from __future__ import annotations

import pulumi
import pulumi_azuread as azuread

from odoo_outlook.rotation import SecretSchedule, SecretSlot


def _fmt(moment: object) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


class RotatingClientSecret(pulumi.ComponentResource):
    """Two secrets that overlap; `client_secret` is always the newest, the one Odoo must hold."""

    client_secret: pulumi.Output[str]
    client_secret_key_id: pulumi.Output[str]
    client_secret_expires_at: pulumi.Output[str]
    next_rotation_at: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        application_id: pulumi.Input[str],
        schedule: SecretSchedule,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("odoo-outlook:secret:RotatingClientSecret", name, None, opts)
        passwords = {
            slot.slot: self._password(name, application_id, slot) for slot in schedule.slots
        }
        newest = passwords[schedule.current.slot]

        self.client_secret = pulumi.Output.secret(newest.value)
        self.client_secret_key_id = newest.key_id
        self.client_secret_expires_at = pulumi.Output.from_input(
            _fmt(schedule.current.end_date)
        )
        self.next_rotation_at = pulumi.Output.from_input(_fmt(schedule.next_rotation_at))
        self.register_outputs(
            {
                "clientSecret": self.client_secret,
                "clientSecretKeyId": self.client_secret_key_id,
                "clientSecretExpiresAt": self.client_secret_expires_at,
                "nextRotationAt": self.next_rotation_at,
            }
        )

    def _password(
        self, name: str, application_id: pulumi.Input[str], slot: SecretSlot
    ) -> azuread.ApplicationPassword:
        # No start_date: Entra takes "now" at creation, and a past date would be rejected.
        # end_date and rotate_when_changed only change at this slot's boundary (or when forced),
        # so runs inside one epoch declare identical inputs. Pulumi creates the replacement
        # before deleting the old secret, after Odoo was updated in the same run.
        return azuread.ApplicationPassword(
            f"{name}-{slot.slot}",
            application_id=application_id,
            display_name=slot.display_name,
            end_date=slot.end_date_text,
            rotate_when_changed={"rotation": slot.rotate_key},
            opts=pulumi.ResourceOptions(
                parent=self, additional_secret_outputs=["value"]
            ),
        )
