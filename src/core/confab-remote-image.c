/* confab-remote-image.c
 *
 * Images in replies are fetched only when the user asks (or allowed it
 * for all): an image address is a classic way to carry a conversation out
 * to a third party. So the request tells that party as little as
 * possible: no cookies, no referrer, no credentials, nothing but a GET of
 * an http or https address; redirects are not followed (the address the
 * user was shown is the one fetched); the answer must say it is an image
 * and stay under CONFAB_REMOTE_IMAGE_MAX_BYTES.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "confab-http.h"
#include "confab-remote-image.h"

#define TIMEOUT_S 30

typedef struct
{
  SoupSession *session;
  SoupMessage *message;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_object (&data->message);
  g_clear_object (&data->session);
  g_free (data);
}

static void
on_body (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = confab_http_read_body_finish (result, &error);

  if (body == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (g_bytes_get_size (body) >= CONFAB_REMOTE_IMAGE_MAX_BYTES)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                             _("The image is larger than %d MB"),
                             CONFAB_REMOTE_IMAGE_MAX_BYTES / (1024 * 1024));
  else
    g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify)g_bytes_unref);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  const char *type;
  guint status;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  status = soup_message_get_status (data->message);
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (data->message), NULL);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The server answered HTTP %u"), status);
      return;
    }
  if (type == NULL || !g_str_has_prefix (type, "image/"))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The address is not an image (%s)"), type ? type : _("no type"));
      return;
    }

  /* Not in the call below: the order arguments are evaluated in is
   * unspecified, and the task may be stolen first (test-remote-image). */
  cancellable = g_task_get_cancellable (task);
  confab_http_read_body_async (stream, CONFAB_REMOTE_IMAGE_MAX_BYTES, cancellable,
                               on_body, g_steal_pointer (&task));
}

/**
 * confab_remote_image_fetch_async:
 * @uri: an http or https address
 *
 * Fetches the image at @uri as described above.
 */
void
confab_remote_image_fetch_async (const char          *uri,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) parsed = NULL;
  FetchData *data;

  g_return_if_fail (uri != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_remote_image_fetch_async);

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL || g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0' ||
      g_uri_get_userinfo (parsed) != NULL ||
      !(g_ascii_strcasecmp (g_uri_get_scheme (parsed), "http") == 0 ||
        g_ascii_strcasecmp (g_uri_get_scheme (parsed), "https") == 0))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Only http and https images are loaded"));
      return;
    }

  data = g_new0 (FetchData, 1);
  data->session = soup_session_new_with_options ("timeout", TIMEOUT_S,
                                                 "user-agent", "Confab/" PACKAGE_VERSION,
                                                 NULL);
  data->message = soup_message_new_from_uri (SOUP_METHOD_GET, parsed);
  soup_message_add_flags (data->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (data->message), "Accept", "image/*");
  g_task_set_task_data (task, data, (GDestroyNotify)fetch_data_free);

  soup_session_send_async (data->session, data->message, G_PRIORITY_DEFAULT, cancellable,
                           on_sent, g_steal_pointer (&task));
}

/* Returns: (transfer full): the image's bytes */
GBytes *
confab_remote_image_fetch_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
