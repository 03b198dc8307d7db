/* confab-tls-database.c
 *
 * Corporate networks often inspect TLS with their own CA. An account can
 * name that CA's certificate file (its "ca-file"); its sessions then trust
 * the system's CAs and that file, and nothing else: a self-signed server
 * the file does not vouch for is still refused.
 *
 * GLib 2.74 has no way to add anchors to the default database, so this
 * one asks the system database first and, only when the chain ends at an
 * unknown CA, asks a GTlsFileDatabase of the account's file, which checks
 * the host name too. Every other verdict (expired, wrong host, revoked)
 * stands as the system database gave it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-error.h"
#include "confab-tls-database.h"

struct _ConfabTlsDatabase
{
  GTlsDatabase  parent_instance;

  GTlsDatabase *system;
  GTlsDatabase *extra;
};

G_DEFINE_FINAL_TYPE (ConfabTlsDatabase, confab_tls_database, G_TYPE_TLS_DATABASE)

static GTlsCertificateFlags
confab_tls_database_verify_chain (GTlsDatabase             *database,
                                  GTlsCertificate          *chain,
                                  const char               *purpose,
                                  GSocketConnectable       *identity,
                                  GTlsInteraction          *interaction,
                                  GTlsDatabaseVerifyFlags   flags,
                                  GCancellable             *cancellable,
                                  GError                  **error)
{
  ConfabTlsDatabase *self = CONFAB_TLS_DATABASE (database);
  GTlsCertificateFlags errors;
  GTlsCertificateFlags extra_errors;
  g_autoptr(GError) extra_error = NULL;

  errors = g_tls_database_verify_chain (self->system, chain, purpose, identity, interaction,
                                        flags, cancellable, error);
  if (!(errors & G_TLS_CERTIFICATE_UNKNOWN_CA))
    return errors;

  extra_errors = g_tls_database_verify_chain (self->extra, chain, purpose, identity,
                                              interaction, flags, cancellable, &extra_error);
  return extra_error == NULL && extra_errors == 0 ? 0 : errors;
}

static GTlsCertificate *
confab_tls_database_lookup_certificate_issuer (GTlsDatabase             *database,
                                               GTlsCertificate          *certificate,
                                               GTlsInteraction          *interaction,
                                               GTlsDatabaseLookupFlags   flags,
                                               GCancellable             *cancellable,
                                               GError                  **error)
{
  ConfabTlsDatabase *self = CONFAB_TLS_DATABASE (database);
  GTlsCertificate *issuer;

  issuer = g_tls_database_lookup_certificate_issuer (self->system, certificate, interaction,
                                                     flags, cancellable, error);
  if (issuer != NULL || (error != NULL && *error != NULL))
    return issuer;
  return g_tls_database_lookup_certificate_issuer (self->extra, certificate, interaction, flags,
                                                   cancellable, error);
}

static GList *
confab_tls_database_lookup_certificates_issued_by (GTlsDatabase             *database,
                                                   GByteArray               *issuer_raw_dn,
                                                   GTlsInteraction          *interaction,
                                                   GTlsDatabaseLookupFlags   flags,
                                                   GCancellable             *cancellable,
                                                   GError                  **error)
{
  ConfabTlsDatabase *self = CONFAB_TLS_DATABASE (database);
  GList *system = NULL;
  GList *extra;

  system = g_tls_database_lookup_certificates_issued_by (self->system, issuer_raw_dn,
                                                         interaction, flags, cancellable, error);
  if (error != NULL && *error != NULL)
    return system;
  extra = g_tls_database_lookup_certificates_issued_by (self->extra, issuer_raw_dn, interaction,
                                                        flags, cancellable, error);
  return g_list_concat (system, extra);
}

/* Handles name certificates of the system database only. */
static char *
confab_tls_database_create_certificate_handle (GTlsDatabase    *database,
                                               GTlsCertificate *certificate)
{
  return g_tls_database_create_certificate_handle (CONFAB_TLS_DATABASE (database)->system,
                                                   certificate);
}

static GTlsCertificate *
confab_tls_database_lookup_certificate_for_handle (GTlsDatabase             *database,
                                                   const char               *handle,
                                                   GTlsInteraction          *interaction,
                                                   GTlsDatabaseLookupFlags   flags,
                                                   GCancellable             *cancellable,
                                                   GError                  **error)
{
  return g_tls_database_lookup_certificate_for_handle (CONFAB_TLS_DATABASE (database)->system,
                                                       handle, interaction, flags,
                                                       cancellable, error);
}

static void
confab_tls_database_finalize (GObject *object)
{
  ConfabTlsDatabase *self = (ConfabTlsDatabase *)object;

  g_clear_object (&self->system);
  g_clear_object (&self->extra);

  G_OBJECT_CLASS (confab_tls_database_parent_class)->finalize (object);
}

static void
confab_tls_database_class_init (ConfabTlsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->finalize = confab_tls_database_finalize;
  database_class->verify_chain = confab_tls_database_verify_chain;
  database_class->lookup_certificate_issuer = confab_tls_database_lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by = confab_tls_database_lookup_certificates_issued_by;
  database_class->create_certificate_handle = confab_tls_database_create_certificate_handle;
  database_class->lookup_certificate_for_handle = confab_tls_database_lookup_certificate_for_handle;
}

static void
confab_tls_database_init (ConfabTlsDatabase *self)
{
}

/**
 * confab_tls_database_new:
 * @ca_file: a PEM file holding one or more CA certificates
 *
 * Returns: (transfer full): a database trusting the system's CAs and
 *   those of @ca_file, or %NULL with a CONFAB_ERROR_TLS error when the
 *   file cannot be read or holds no certificate
 */
GTlsDatabase *
confab_tls_database_new (const char  *ca_file,
                         GError     **error)
{
  g_autoptr(ConfabTlsDatabase) self = NULL;
  g_autolist(GTlsCertificate) certificates = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (ca_file != NULL, NULL);

  certificates = g_tls_certificate_list_new_from_file (ca_file, &local_error);
  if (certificates == NULL && local_error == NULL)
    local_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                       _("it holds no PEM certificate"));

  self = g_object_new (CONFAB_TYPE_TLS_DATABASE, NULL);
  if (local_error == NULL)
    self->extra = g_tls_file_database_new (ca_file, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_TLS,
                   _("The CA certificate file %s cannot be used: %s"), ca_file,
                   local_error->message);
      return NULL;
    }

  self->system = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  if (self->system == NULL)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_TLS,
                           _("This system has no TLS support (glib-networking is missing)"));
      return NULL;
    }
  return G_TLS_DATABASE (g_steal_pointer (&self));
}
