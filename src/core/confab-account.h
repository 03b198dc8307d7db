/* confab-account.h: one provider account (the key lives in the keyring)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "confab-provider-info.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ACCOUNT (confab_account_get_type ())

G_DECLARE_FINAL_TYPE (ConfabAccount, confab_account, CONFAB, ACCOUNT, GObject)

ConfabAccount            *confab_account_new                 (const char     *id,
                                                              const char     *name,
                                                              const char     *provider_id);
ConfabAccount            *confab_account_new_from_json       (JsonObject     *object,
                                                              GError        **error);
void                      confab_account_to_json             (ConfabAccount  *self,
                                                              JsonBuilder    *builder);
const char               *confab_account_get_id              (ConfabAccount  *self);
const char               *confab_account_get_name            (ConfabAccount  *self);
void                      confab_account_set_name            (ConfabAccount  *self,
                                                              const char     *name);
const char               *confab_account_get_provider_id     (ConfabAccount  *self);
const ConfabProviderInfo *confab_account_get_provider_info   (ConfabAccount  *self);
const char               *confab_account_get_default_model   (ConfabAccount  *self);
const char               *confab_account_get_base_url        (ConfabAccount  *self);
void                      confab_account_set_base_url        (ConfabAccount  *self,
                                                              const char     *base_url);
char                     *confab_account_dup_effective_base_url (ConfabAccount *self);
char                     *confab_account_dup_origin          (ConfabAccount  *self);
gboolean                  confab_account_same_origin         (ConfabAccount  *self,
                                                              ConfabAccount  *other);
const char               *confab_account_get_region          (ConfabAccount  *self);
void                      confab_account_set_region          (ConfabAccount  *self,
                                                              const char     *region);
const char               *confab_account_get_model           (ConfabAccount  *self);
void                      confab_account_set_model           (ConfabAccount  *self,
                                                              const char     *model);
const char               *confab_account_get_proxy           (ConfabAccount  *self);
void                      confab_account_set_proxy           (ConfabAccount  *self,
                                                              const char     *proxy);
const char * const       *confab_account_get_headers         (ConfabAccount  *self);
void                      confab_account_set_headers         (ConfabAccount  *self,
                                                              const char * const *headers);
const char               *confab_account_get_deployment      (ConfabAccount  *self);
void                      confab_account_set_deployment      (ConfabAccount  *self,
                                                              const char     *deployment);
const char               *confab_account_get_api_version     (ConfabAccount  *self);
void                      confab_account_set_api_version     (ConfabAccount  *self,
                                                              const char     *api_version);
const char               *confab_account_get_ca_file         (ConfabAccount  *self);
void                      confab_account_set_ca_file         (ConfabAccount  *self,
                                                              const char     *ca_file);
gboolean                  confab_account_validate_header     (const char     *header,
                                                              GError        **error);

gboolean            confab_account_proxy_has_user       (ConfabAccount *self);

G_END_DECLS
