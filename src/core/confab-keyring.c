/* confab-keyring.c
 *
 * Secrets are items of the schema below, found by the account's id and the
 * kind of secret; nothing secret is stored in the attributes. libsecret
 * talks to the Secret Service on the desktop and to the Secret portal's
 * file backend inside Flatpak.
 *
 * Every request goes through one queue, runs alone on the keyring thread,
 * and is bounded in time:
 *  - libsecret 0.20 keeps the first backend that finishes starting, but an
 *    operation begun while another backend was starting uses a backend of
 *    its own. Inside Flatpak each file backend reads the keyring file once,
 *    so a key stored through one was missing from the one kept for later
 *    lookups, and a clear through one could write a file without it.
 *    Running one request at a time means one backend, started once.
 *  - a request that does not finish within KEYRING_TIMEOUT_SECONDS (an
 *    unlock prompt left open, a keyring or portal that never answers) fails
 *    with a CONFAB_ERROR_KEYRING error that says so, and the queue moves on.
 *    The timeout runs in the caller's context, so it fires even if libsecret
 *    never lets go of the keyring thread.
 * The thread keeps libsecret's blocking calls (its check for the Secret
 * portal, for one) off the UI thread, and is free to take the portal's
 * answers the moment they arrive (see PORTAL_WORKAROUND). Callers get their
 * answers in their own main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <string.h>

#include "confab-error.h"
#include "confab-keyring.h"

/* Long enough for a person to answer an unlock prompt. */
#define KEYRING_TIMEOUT_SECONDS 60

/* libsecret before 0.21.4 ("file-backend: Subscribe before calling dbus")
 * subscribes to the Secret portal's Response signal only after
 * RetrieveSecret has returned. gnome-keyring answers the portal at once, so
 * the signal can arrive first and be dropped: the file backend then waits
 * forever for the master key already sitting in its pipe. A Response to
 * this process that is not followed by the end of the request within
 * PORTAL_GRACE_SECONDS means it was lost, and the request starts again. */
#define PORTAL_WORKAROUND (!SECRET_CHECK_VERSION (0, 21, 4))
#define PORTAL_GRACE_SECONDS 5
#define MAX_ATTEMPTS 3

static const SecretSchema confab_schema = {
  "io.github.confab.Confab.Secret", SECRET_SCHEMA_NONE,
  {
    { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

typedef enum
{
  REQUEST_STORE,
  REQUEST_LOOKUP,
  REQUEST_CLEAR,
  REQUEST_CLEAR_KIND,
} RequestType;

typedef struct
{
  RequestType       type;
  char             *account_id;
  ConfabSecretKind  kind;
  char             *label;
  char             *secret;
  /* The current attempt's, see cancel_attempt() */
  GCancellable     *attempt_cancellable;
  guint             attempt;
  /* Set once the caller has its answer; read and written by any thread */
  gint              answered;
  /* Set once the keyring thread is done with it */
  gboolean          done;
  /* In the caller's context */
  GSource          *timeout_source;
  GSource          *cancel_source;
  /* In the keyring thread's context */
  GSource          *grace_source;
  GDBusConnection  *bus;
  guint             response_id;
} Request;

/* The request running now and those waiting behind it; only the keyring
 * thread touches them. */
static GTask *running;
static GQueue waiting = G_QUEUE_INIT;

static void start_next (void);
static void start_attempt (GTask *task);

static const char *
kind_to_string (ConfabSecretKind kind)
{
  return kind == CONFAB_SECRET_PROXY_PASSWORD ? "proxy-password" : "api-key";
}

static char *
make_label (ConfabSecretKind  kind,
            const char       *account_name)
{
  if (kind == CONFAB_SECRET_PROXY_PASSWORD)
    return g_strdup_printf (_("Confab proxy password for “%s”"), account_name);
  return g_strdup_printf (_("Confab API key for “%s”"), account_name);
}

static const char *
unavailable_hint (void)
{
  return _("No keyring is available: the Secret Service (for example GNOME Keyring) is not running. Start it or log in to a desktop session, then try again.");
}

/* Every failure to reach or use the keyring becomes one CONFAB_ERROR_KEYRING
 * error that says what the user can do about it. libsecret's own message is
 * kept after it for the curious; it never contains the secret. */
static gboolean
propagate_keyring_error (GError  *error,
                         GError **dest)
{
  const char *hint;

  if (error == NULL)
    return TRUE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (dest, error);
      return FALSE;
    }

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
      strstr (error->message, "locked") != NULL)
    hint = _("The keyring is locked. Unlock it (for example by logging in to the desktop) and try again.");
  else if (error->domain == SECRET_ERROR)
    hint = _("The keyring refused the request.");
  else
    hint = unavailable_hint ();

  g_set_error (dest, CONFAB_ERROR, CONFAB_ERROR_KEYRING, "%s (%s)", hint, error->message);
  g_error_free (error);
  return FALSE;
}

/**
 * confab_keyring_error_is_unavailable:
 * @error: an error from this file's functions
 *
 * Whether @error says there is no keyring at all, as opposed to a locked
 * one, a refusal or a timeout. Every keyring error keeps the code
 * CONFAB_ERROR_KEYRING (confab-cli's exit status 7), so the hint written
 * above tells this one apart.
 *
 * Returns: %TRUE if no Secret Service could be reached
 */
gboolean
confab_keyring_error_is_unavailable (const GError *error)
{
  return g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_KEYRING) &&
         g_str_has_prefix (error->message, unavailable_hint ());
}

static gboolean
is_sandboxed (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) || g_getenv ("SNAP_NAME") != NULL;
}

/* Inside Flatpak or Snap, when the Secret portal answers, libsecret uses
 * its file backend: there are no collections to lock, and a Secret Service
 * search there fails with ServiceUnknown. The test mirrors libsecret's own
 * choice of backend (secret-backend.c): sandboxed and the portal's version
 * readable. It runs once, bounded like libsecret's own check. */
static gboolean
uses_portal_backend (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (!is_sandboxed ())
    return FALSE;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.portal.Desktop",
                                       "/org/freedesktop/portal/desktop",
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "org.freedesktop.portal.Secret",
                                                      "version"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, &error);
  /* Only a portal that is known to be absent means the Secret Service;
   * a slow answer under load is still the portal. */
  return reply != NULL ||
         !(g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
           g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
           g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE) ||
           g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY));
}

static gboolean
can_be_locked (void)
{
  static gsize answer = 0;

  if (g_once_init_enter (&answer))
    g_once_init_leave (&answer, uses_portal_backend () ? 1 : 2);
  return answer == 2;
}

static gboolean
items_locked (GList   *items,
              GError **error)
{
  for (GList *l = items; l != NULL; l = l->next)
    if (secret_item_get_locked (l->data))
      {
        propagate_keyring_error (g_error_new_literal (SECRET_ERROR, SECRET_ERROR_IS_LOCKED,
                                                      "the collection is locked"), error);
        return TRUE;
      }
  return FALSE;
}

/* The request's life */

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static gpointer
run_keyring_thread (gpointer data)
{
  GMainContext *context = data;

  g_main_context_push_thread_default (context);
  for (;;)
    g_main_context_iteration (context, TRUE);
  return NULL;
}

/* The keyring thread's context: every libsecret call is made there, so
 * that its answers, libsecret's own internal steps included, are handled
 * as soon as they arrive whatever the UI thread is doing. */
static GMainContext *
keyring_context (void)
{
  static GMainContext *context;

  if (g_once_init_enter (&context))
    {
      GMainContext *new_context = g_main_context_new ();

      g_thread_unref (g_thread_new ("confab-keyring", run_keyring_thread,
                                    g_main_context_ref (new_context)));
      g_once_init_leave (&context, new_context);
    }
  return context;
}

static GSource *
attach_timeout (GTask       *task,
                guint        seconds,
                GSourceFunc  func)
{
  GSource *source = g_timeout_source_new_seconds (seconds);

  g_source_set_callback (source, func, task, NULL);
  g_source_attach (source, keyring_context ());
  return source;
}

/* libsecret before 0.21.0 deadlocks when a portal request is cancelled
 * ("Fix deadlock when a portal operation is cancelled"): its cancel
 * handler disconnects itself. There an attempt is left to itself instead. */
static void
cancel_attempt (Request *request)
{
  if (request->attempt_cancellable == NULL)
    return;
  if (SECRET_CHECK_VERSION (0, 21, 0) || !is_sandboxed ())
    g_cancellable_cancel (request->attempt_cancellable);
  g_clear_object (&request->attempt_cancellable);
}

static void
stop_response_watch (Request *request)
{
  if (request->response_id != 0)
    g_dbus_connection_signal_unsubscribe (request->bus, request->response_id);
  request->response_id = 0;
  g_clear_object (&request->bus);
}

static void
destroy_source (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

static void
request_free (Request *request)
{
  g_assert (request->grace_source == NULL && request->response_id == 0);
  g_clear_pointer (&request->timeout_source, destroy_source);
  g_clear_pointer (&request->cancel_source, destroy_source);
  g_free (request->account_id);
  g_free (request->label);
  if (request->secret != NULL)
    secret_password_free (request->secret);
  g_clear_object (&request->attempt_cancellable);
  g_free (request);
}

/* Gives the caller its answer (a secret for lookups, TRUE otherwise) or
 * an error, once: the keyring thread, the timeout and the caller's cancel
 * race for it. */
static void
answer_caller (GTask  *task,
               char   *secret,
               GError *error)
{
  Request *request = g_task_get_task_data (task);

  if (!g_atomic_int_compare_and_exchange (&request->answered, FALSE, TRUE))
    {
      g_clear_error (&error);
      g_clear_pointer (&secret, secret_password_free);
    }
  else if (error != NULL)
    g_task_return_error (task, error);
  else if (request->type == REQUEST_LOOKUP)
    g_task_return_pointer (task, secret, (GDestroyNotify)secret_password_free);
  else
    g_task_return_boolean (task, TRUE);
}

/* Ends the request on the keyring thread and starts the next one. Later
 * answers of abandoned attempts are dropped. */
static void
finish_request (GTask  *task,
                char   *secret,
                GError *error)
{
  Request *request = g_task_get_task_data (task);

  g_assert (!request->done);
  request->done = TRUE;
  g_source_destroy (request->timeout_source);
  if (request->cancel_source != NULL)
    g_source_destroy (request->cancel_source);
  clear_source (&request->grace_source);
  stop_response_watch (request);
  cancel_attempt (request);
  g_queue_remove (&waiting, task);
  if (running == task)
    running = NULL;

  answer_caller (task, secret, error);
  g_object_unref (task);

  if (running == NULL)
    start_next ();
}

static gboolean
abandon_request (gpointer user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  if (!request->done)
    finish_request (task, NULL, NULL);
  return G_SOURCE_REMOVE;
}

/* The timeout and the caller's cancel run in the caller's context, so
 * that they answer even if libsecret never lets go of the keyring thread;
 * the keyring thread drops the request when it can. */
static void
give_up (GTask  *task,
         GError *error)
{
  answer_caller (task, NULL, error);
  g_main_context_invoke_full (keyring_context (), G_PRIORITY_DEFAULT, abandon_request,
                              g_object_ref (task), g_object_unref);
}

static gboolean
on_timeout (gpointer user_data)
{
  give_up (G_TASK (user_data),
           g_error_new (CONFAB_ERROR, CONFAB_ERROR_KEYRING,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "The keyring did not answer within %d second. If it asked for a password, unlock it and try again.",
                                     "The keyring did not answer within %d seconds. If it asked for a password, unlock it and try again.",
                                     KEYRING_TIMEOUT_SECONDS),
                        KEYRING_TIMEOUT_SECONDS));
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  give_up (G_TASK (user_data), g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                    _("The keyring request was cancelled")));
  return G_SOURCE_REMOVE;
}

static gboolean
enqueue (gpointer user_data)
{
  GTask *task = user_data;

  g_queue_push_tail (&waiting, task);
  if (running == NULL)
    start_next ();
  return G_SOURCE_REMOVE;
}

static GSource *
attach_to_caller (GTask       *task,
                  GSource     *source,
                  GSourceFunc  func)
{
  g_source_set_callback (source, func, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  return source;
}

/* Hands the request (and the reference to it) to the keyring thread. */
static void
queue_request (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  request->timeout_source = attach_to_caller (task, g_timeout_source_new_seconds (KEYRING_TIMEOUT_SECONDS),
                                              on_timeout);
  if (cancellable != NULL)
    request->cancel_source = attach_to_caller (task, g_cancellable_source_new (cancellable),
                                               G_SOURCE_FUNC (on_cancelled));
  g_main_context_invoke (keyring_context (), enqueue, task);
}

static void
start_next (void)
{
  g_assert (running == NULL);
  running = g_queue_pop_head (&waiting);
  if (running != NULL)
    start_attempt (running);
}

/* A lost portal Response (see PORTAL_WORKAROUND) */

static gboolean
on_grace_over (gpointer user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  g_clear_pointer (&request->grace_source, g_source_unref);
  if (request->attempt >= MAX_ATTEMPTS)
    return G_SOURCE_REMOVE;  /* the timeout ends it */
  g_message ("The Secret portal's answer was lost (libsecret %d.%d.%d); asking again",
             SECRET_MAJOR_VERSION, SECRET_MINOR_VERSION, SECRET_MICRO_VERSION);
  start_attempt (task);
  return G_SOURCE_REMOVE;
}

static void
on_portal_response (GDBusConnection *connection,
                    const char      *sender_name,
                    const char      *object_path,
                    const char      *interface_name,
                    const char      *signal_name,
                    GVariant        *parameters,
                    gpointer         user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autofree char *sender = g_strdup (g_dbus_connection_get_unique_name (connection) + 1);
  g_autofree char *prefix = NULL;

  /* Requests of this process live under /…/request/SENDER/, with the
   * sender's ":1.23" written "1_23". */
  g_strdelimit (sender, ".", '_');
  prefix = g_strconcat ("/org/freedesktop/portal/desktop/request/", sender, "/", NULL);
  if (request->done || request->grace_source != NULL || !g_str_has_prefix (object_path, prefix))
    return;
  request->grace_source = attach_timeout (task, PORTAL_GRACE_SECONDS, on_grace_over);
}

static void
start_response_watch (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  if (!PORTAL_WORKAROUND || request->response_id != 0 || !is_sandboxed ())
    return;
  request->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (request->bus == NULL)
    return;
  /* The portal sends Response to this process; no match rule is needed,
   * as libsecret does. */
  request->response_id =
    g_dbus_connection_signal_subscribe (request->bus, NULL, "org.freedesktop.portal.Request",
                                        "Response", NULL, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NO_MATCH_RULE,
                                        on_portal_response, task, NULL);
}

/* One attempt: libsecret's call and its answer */

typedef struct
{
  GTask *task;
  guint  attempt;
} Attempt;

static Attempt *
attempt_new (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  Attempt *attempt = g_new0 (Attempt, 1);

  attempt->task = g_object_ref (task);
  attempt->attempt = request->attempt;
  return attempt;
}

static void
attempt_free (Attempt *attempt)
{
  g_object_unref (attempt->task);
  g_free (attempt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attempt, attempt_free)

/* The request this answer belongs to, or NULL if the answer came too late */
static Request *
attempt_get_request (Attempt *attempt)
{
  Request *request = g_task_get_task_data (attempt->task);

  if (request->done || request->attempt != attempt->attempt)
    return NULL;
  return request;
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  GError *local_error = NULL;
  GError *error = NULL;

  secret_password_store_finish (result, &local_error);
  if (attempt_get_request (attempt) == NULL)
    {
      g_clear_error (&local_error);
      return;
    }
  propagate_keyring_error (local_error, &error);
  finish_request (attempt->task, NULL, error);
}

static void
on_locked_search (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  g_autolist(SecretItem) items = secret_service_search_finish (NULL, result, NULL);
  GError *error = NULL;

  if (attempt_get_request (attempt) == NULL)
    return;
  items_locked (items, &error);
  finish_request (attempt->task, NULL, error);
}

/* secret_password_lookup() answers NULL, as for "nothing stored", when
 * the item is in a locked collection and the unlock prompt was dismissed
 * or could not be shown. Without this a locked keyring looked like an
 * account without a key, and keyless providers went ahead without it
 * (tests/test-faults.c, /faults/keyring/locked). A search that does not
 * unlock tells the two apart; the portal's file backend has no
 * collections to lock, so there the answer stays "nothing stored". */
static void
search_locked (Attempt *attempt)
{
  Request *request = g_task_get_task_data (attempt->task);
  g_autoptr(GHashTable) attributes = secret_attributes_build (&confab_schema,
                                                              "account", request->account_id,
                                                              "kind", kind_to_string (request->kind),
                                                              NULL);

  secret_service_search (NULL, &confab_schema, attributes, SECRET_SEARCH_ALL,
                         request->attempt_cancellable, on_locked_search, attempt);
}

static void
on_lookup (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  GError *local_error = NULL;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &local_error);

  if (attempt_get_request (attempt) == NULL)
    {
      g_clear_error (&local_error);
      g_clear_pointer (&secret, secret_password_free);
      return;
    }
  if (local_error != NULL)
    propagate_keyring_error (local_error, &error);
  else if (secret == NULL && can_be_locked ())
    {
      search_locked (g_steal_pointer (&attempt));
      return;
    }
  finish_request (attempt->task, secret, error);
}

static void clear_one (Attempt *attempt);

/* Clearing removes one matching item per call: the account's key and its
 * proxy password go one after the other. */
static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  GError *local_error = NULL;
  GError *error = NULL;
  gboolean removed = secret_password_clear_finish (result, &local_error);

  if (attempt_get_request (attempt) == NULL)
    {
      g_clear_error (&local_error);
      return;
    }
  if (removed)
    {
      clear_one (g_steal_pointer (&attempt));
      return;
    }
  propagate_keyring_error (local_error, &error);
  finish_request (attempt->task, NULL, error);
}

static void
clear_one (Attempt *attempt)
{
  Request *request = g_task_get_task_data (attempt->task);

  if (request->type == REQUEST_CLEAR_KIND)
    secret_password_clear (&confab_schema, request->attempt_cancellable, on_cleared, attempt,
                           "account", request->account_id,
                           "kind", kind_to_string (request->kind),
                           NULL);
  else
    secret_password_clear (&confab_schema, request->attempt_cancellable, on_cleared, attempt,
                           "account", request->account_id,
                           NULL);
}

static void
call_libsecret (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  Attempt *attempt = attempt_new (task);

  switch (request->type)
    {
    case REQUEST_STORE:
      secret_password_store (&confab_schema, SECRET_COLLECTION_DEFAULT, request->label,
                             request->secret, request->attempt_cancellable, on_stored, attempt,
                             "account", request->account_id,
                             "kind", kind_to_string (request->kind),
                             NULL);
      break;
    case REQUEST_LOOKUP:
      secret_password_lookup (&confab_schema, request->attempt_cancellable, on_lookup, attempt,
                              "account", request->account_id,
                              "kind", kind_to_string (request->kind),
                              NULL);
      break;
    case REQUEST_CLEAR:
    case REQUEST_CLEAR_KIND:
      clear_one (attempt);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
start_attempt (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  cancel_attempt (request);
  request->attempt_cancellable = g_cancellable_new ();
  request->attempt++;
  start_response_watch (task);
  call_libsecret (task);
}

static GTask *
request_new (RequestType          type,
             const char          *account_id,
             ConfabSecretKind     kind,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             source_tag)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, source_tag);
  request->type = type;
  request->account_id = g_strdup (account_id);
  request->kind = kind;
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);
  return task;
}

/* Runs an _async call to its end in a private main context, so that a
 * program without a main loop (confab-cli) gets the same bounded, queued
 * requests on the keyring thread. */
typedef void (*StartFunc) (gpointer data, GAsyncReadyCallback callback, gpointer user_data);

static void
on_sync_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
run_sync (StartFunc start,
          gpointer  data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  GAsyncResult *result = NULL;

  g_main_context_push_thread_default (context);
  start (data, on_sync_done, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  return result;
}

/* Public API */

void
confab_keyring_store_async (const char          *account_id,
                            ConfabSecretKind     kind,
                            const char          *account_name,
                            const char          *secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  Request *request;

  g_return_if_fail (account_id != NULL);
  g_return_if_fail (secret != NULL);

  task = request_new (REQUEST_STORE, account_id, kind, cancellable, callback, user_data,
                      confab_keyring_store_async);
  request = g_task_get_task_data (task);
  request->label = make_label (kind, account_name ? account_name : account_id);
  request->secret = g_strdup (secret);
  queue_request (task);
}

gboolean
confab_keyring_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  const char       *account_id;
  ConfabSecretKind  kind;
  const char       *account_name;
  const char       *secret;
  GCancellable     *cancellable;
} SyncArgs;

static void
start_store (gpointer            data,
             GAsyncReadyCallback callback,
             gpointer            user_data)
{
  SyncArgs *args = data;

  confab_keyring_store_async (args->account_id, args->kind, args->account_name, args->secret,
                              args->cancellable, callback, user_data);
}

gboolean
confab_keyring_store_sync (const char    *account_id,
                           ConfabSecretKind kind,
                           const char    *account_name,
                           const char    *secret,
                           GCancellable  *cancellable,
                           GError       **error)
{
  SyncArgs args = { account_id, kind, account_name, secret, cancellable };
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (account_id != NULL, FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);

  result = run_sync (start_store, &args);
  return confab_keyring_store_finish (result, error);
}

void
confab_keyring_lookup_async (const char          *account_id,
                             ConfabSecretKind     kind,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (account_id != NULL);

  queue_request (request_new (REQUEST_LOOKUP, account_id, kind, cancellable, callback, user_data,
                              confab_keyring_lookup_async));
}

/* NULL without an error when no secret is stored. Free the result with
 * confab_keyring_secret_free(), which wipes it. */
char *
confab_keyring_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
start_lookup (gpointer            data,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  SyncArgs *args = data;

  confab_keyring_lookup_async (args->account_id, args->kind, args->cancellable,
                               callback, user_data);
}

char *
confab_keyring_lookup_sync (const char        *account_id,
                            ConfabSecretKind   kind,
                            GCancellable      *cancellable,
                            GError           **error)
{
  SyncArgs args = { account_id, kind, NULL, NULL, cancellable };
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (account_id != NULL, NULL);

  result = run_sync (start_lookup, &args);
  return confab_keyring_lookup_finish (result, error);
}

/* Clears every secret of the account: its key and its proxy password. */
void
confab_keyring_clear_async (const char          *account_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (account_id != NULL);

  queue_request (request_new (REQUEST_CLEAR, account_id, CONFAB_SECRET_API_KEY, cancellable,
                              callback, user_data, confab_keyring_clear_async));
}

gboolean
confab_keyring_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Clears one of the account's secrets (its proxy password, say), leaving
 * the other where it is. Finish with confab_keyring_clear_finish(). */
void
confab_keyring_clear_kind_async (const char          *account_id,
                                 ConfabSecretKind     kind,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (account_id != NULL);

  queue_request (request_new (REQUEST_CLEAR_KIND, account_id, kind, cancellable,
                              callback, user_data, confab_keyring_clear_async));
}

static void
start_clear (gpointer            data,
             GAsyncReadyCallback callback,
             gpointer            user_data)
{
  SyncArgs *args = data;

  confab_keyring_clear_async (args->account_id, args->cancellable, callback, user_data);
}

gboolean
confab_keyring_clear_sync (const char    *account_id,
                           GCancellable  *cancellable,
                           GError       **error)
{
  SyncArgs args = { account_id, CONFAB_SECRET_API_KEY, NULL, NULL, cancellable };
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (account_id != NULL, FALSE);

  result = run_sync (start_clear, &args);
  return confab_keyring_clear_finish (result, error);
}

void
confab_keyring_secret_free (char *secret)
{
  secret_password_free (secret);
}
