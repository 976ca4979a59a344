"""The Entra ID side of Odoo's Outlook integration: app, enterprise app, assignments, consent."""

from __future__ import annotations

import pulumi
import pulumi_azuread as azuread

from odoo_outlook.config import is_object_id
from odoo_outlook.desired import (
    DEFAULT_ACCESS_ROLE_ID,
    FALLBACK_PUBLIC_CLIENT,
    GRAPH_PUBLISHED_APP_NAME,
    IMPLICIT_GRANT_ACCESS_TOKEN,
    IMPLICIT_GRANT_ID_TOKEN,
    PUBLIC_CLIENT_REDIRECT_URIS,
    SPA_REDIRECT_URIS,
    AppRegistrationSpec,
    admin_consent_url,
    oauth_endpoint,
)


def _missing_scopes(wanted: tuple[str, ...], served: dict[str, str]) -> list[str]:
    return [name for name in wanted if name not in served]


def _scope_ids(wanted: tuple[str, ...], served: dict[str, str]) -> list[str]:
    missing = _missing_scopes(wanted, served)
    if missing:
        raise ValueError(
            "Microsoft Graph's service principal offers no delegated scope named "
            f"{', '.join(missing)}: check the tenant's Microsoft Graph service principal"
        )
    return [served[name] for name in wanted]


class GraphScopes:
    """Microsoft Graph's service principal and its delegated scope ids, looked up by name."""

    def __init__(self, opts: pulumi.InvokeOptions) -> None:
        published = azuread.get_application_published_app_ids_output(opts=opts)
        self.app_id: pulumi.Output[str] = published.result.apply(
            lambda ids: ids[GRAPH_PUBLISHED_APP_NAME]
        )
        principal = azuread.get_service_principal_output(client_id=self.app_id, opts=opts)
        self.object_id: pulumi.Output[str] = principal.object_id
        self.scope_ids: pulumi.Output[dict[str, str]] = principal.oauth2_permission_scope_ids

    def ids_of(self, names: tuple[str, ...]) -> pulumi.Output[list[str]]:
        """The permission scope ids (GUID strings) of the named delegated Graph scopes, in order.

        Fails the deployment (ValueError) when Microsoft Graph's service principal does not
        publish one of them (its `oauth2PermissionScopes`).
        """
        return self.scope_ids.apply(lambda served: _scope_ids(names, dict(served)))


def _resource_suffix(value: str) -> str:
    return value.lower().replace(" ", "-")


class OutlookAppRegistration(pulumi.ComponentResource):
    """App registration + enterprise application that Odoo signs users in with."""

    client_id: pulumi.Output[str]
    application_id: pulumi.Output[str]
    application_object_id: pulumi.Output[str]
    service_principal_object_id: pulumi.Output[str]
    tenant_id: pulumi.Output[str]
    redirect_uris: pulumi.Output[list[str]]
    oauth_endpoint: pulumi.Output[str]
    admin_consent_url: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        spec: AppRegistrationSpec,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("odoo-outlook:app:OutlookAppRegistration", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)

        client_config = azuread.get_client_config_output(opts=invoke)
        graph = GraphScopes(invoke)
        owners = self._owner_ids(spec, client_config, invoke)

        scope_ids = graph.ids_of(spec.scopes)
        application = azuread.Application(
            f"{name}-app",
            display_name=spec.display_name,
            sign_in_audience=spec.sign_in_audience.value,
            owners=owners,
            # Odoo is a confidential web client: these are declared even though no stack key
            # sets them, so `pulumi up` repairs drift that makes Microsoft refuse Odoo's
            # client secret (AADSTS700025; see desired.FALLBACK_PUBLIC_CLIENT).
            fallback_public_client_enabled=FALLBACK_PUBLIC_CLIENT,
            web=azuread.ApplicationWebArgs(
                redirect_uris=list(spec.redirect_uris),
                implicit_grant=azuread.ApplicationWebImplicitGrantArgs(
                    access_token_issuance_enabled=IMPLICIT_GRANT_ACCESS_TOKEN,
                    id_token_issuance_enabled=IMPLICIT_GRANT_ID_TOKEN,
                ),
            ),
            public_client=azuread.ApplicationPublicClientArgs(
                redirect_uris=list(PUBLIC_CLIENT_REDIRECT_URIS)
            ),
            single_page_application=azuread.ApplicationSinglePageApplicationArgs(
                redirect_uris=list(SPA_REDIRECT_URIS)
            ),
            api=azuread.ApplicationApiArgs(
                requested_access_token_version=spec.requested_access_token_version
            )
            if spec.requested_access_token_version
            else None,
            required_resource_accesses=[
                azuread.ApplicationRequiredResourceAccessArgs(
                    resource_app_id=graph.app_id,
                    resource_accesses=scope_ids.apply(
                        lambda ids: [
                            azuread.ApplicationRequiredResourceAccessResourceAccessArgs(
                                id=scope_id, type="Scope"
                            )
                            for scope_id in ids
                        ]
                    ),
                )
            ],
            opts=child,
        )
        principal = azuread.ServicePrincipal(
            f"{name}-sp",
            client_id=application.client_id,
            app_role_assignment_required=spec.assignment_required,
            owners=owners,
            opts=child,
        )

        for user in spec.users:
            azuread.AppRoleAssignment(
                f"{name}-user-{_resource_suffix(user)}",
                app_role_id=DEFAULT_ACCESS_ROLE_ID,
                principal_object_id=self._user_id(user, invoke),
                resource_object_id=principal.object_id,
                opts=child,
            )
        for group in spec.groups:
            azuread.AppRoleAssignment(
                f"{name}-group-{_resource_suffix(group)}",
                app_role_id=DEFAULT_ACCESS_ROLE_ID,
                principal_object_id=self._group_id(group, invoke),
                resource_object_id=principal.object_id,
                opts=child,
            )

        if spec.admin_consent:
            azuread.ServicePrincipalDelegatedPermissionGrant(
                f"{name}-admin-consent",
                service_principal_object_id=principal.object_id,
                resource_service_principal_object_id=graph.object_id,
                claim_values=list(spec.scopes),
                opts=child,
            )

        self.client_id = application.client_id
        self.application_id = application.id
        self.application_object_id = application.object_id
        self.service_principal_object_id = principal.object_id
        self.tenant_id = client_config.tenant_id
        self.redirect_uris = pulumi.Output.from_input(list(spec.redirect_uris))
        audience = spec.sign_in_audience
        self.oauth_endpoint = client_config.tenant_id.apply(
            lambda tenant: oauth_endpoint(audience, tenant)
        )
        self.admin_consent_url = pulumi.Output.all(
            client_config.tenant_id, application.client_id
        ).apply(lambda args: admin_consent_url(args[0], args[1]))
        self.register_outputs(
            {
                "clientId": self.client_id,
                "applicationObjectId": self.application_object_id,
                "servicePrincipalObjectId": self.service_principal_object_id,
                "tenantId": self.tenant_id,
                "redirectUris": self.redirect_uris,
                "oauthEndpoint": self.oauth_endpoint,
                "adminConsentUrl": self.admin_consent_url,
            }
        )

    @staticmethod
    def _user_id(user: str, invoke: pulumi.InvokeOptions) -> pulumi.Input[str]:
        if is_object_id(user):
            return user
        return azuread.get_user_output(user_principal_name=user, opts=invoke).object_id

    @staticmethod
    def _group_id(group: str, invoke: pulumi.InvokeOptions) -> pulumi.Input[str]:
        if is_object_id(group):
            return group
        return azuread.get_group_output(display_name=group, opts=invoke).object_id

    def _owner_ids(
        self,
        spec: AppRegistrationSpec,
        client_config: pulumi.Output[azuread.GetClientConfigResult],
        invoke: pulumi.InvokeOptions,
    ) -> pulumi.Output[list[str]]:
        # The deploying identity always stays an owner, configured owners or not: `owners` is
        # the whole set, so leaving it out would remove it from the app it creates, and with
        # Application.ReadWrite.OwnedBy (README) the next call on the app (the client secret,
        # in the same run) is refused. The provider docs ask for the calling principal too.
        configured = [self._user_id(owner, invoke) for owner in spec.owners]
        return pulumi.Output.all(client_config.object_id, *configured).apply(
            lambda ids: list(dict.fromkeys(str(i).lower() for i in ids))
        )
