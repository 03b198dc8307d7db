/* confab-model-list.c
 *
 * Follows the provider's paging (Anthropic after_id, Gemini pageToken) up
 * to a sane number of pages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-http.h"
#include "confab-model-list.h"
#include "confab-provider.h"

#define MAX_PAGES     50
#define MAX_BODY_SIZE (16 * 1024 * 1024)

typedef struct
{
  ConfabAccount     *account;
  ConfabProvider    *provider;
  ConfabHttpContext *context;
  SoupMessage       *message;
  GPtrArray         *models;
  guint              pages;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_object (&data->account);
  g_clear_object (&data->provider);
  g_clear_pointer (&data->context, confab_http_context_free);
  g_clear_object (&data->message);
  g_clear_pointer (&data->models, g_ptr_array_unref);
  g_free (data);
}

static void fetch_page (GTask      *task,
                        const char *page_token);

static void
on_body (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = confab_http_read_body_finish (result, &error);
  g_autofree char *next_page = NULL;
  guint status = soup_message_get_status (data->message);

  if (body == NULL)
    {
      g_task_return_error (task, confab_http_transport_error (error, data->message,
                                                              data->account));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      GError *mapped = confab_provider_parse_error (data->provider, status, body, NULL);
      g_autofree char *redacted = confab_http_redact (mapped->message, data->context->api_key);

      g_free (mapped->message);
      mapped->message = g_steal_pointer (&redacted);
      g_task_return_error (task, mapped);
      return;
    }

  if (!confab_provider_parse_models (data->provider, body, data->models, &next_page, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (next_page != NULL && *next_page != '\0' && ++data->pages < MAX_PAGES)
    {
      fetch_page (g_steal_pointer (&task), next_page);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&data->models), (GDestroyNotify)g_ptr_array_unref);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  GCancellable *cancellable;

  if (stream == NULL)
    {
      g_task_return_error (task, confab_http_transport_error (error, data->message,
                                                              data->account));
      return;
    }

  if (SOUP_STATUS_IS_REDIRECTION (soup_message_get_status (data->message)))
    {
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                               _("The provider redirected the request (HTTP %u); Confab does "
                                 "not follow redirects for API calls"),
                               soup_message_get_status (data->message));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  confab_http_read_body_async (stream, MAX_BODY_SIZE, cancellable, on_body,
                               g_steal_pointer (&task));
}

static void
fetch_page (GTask      *task,
            const char *page_token)
{
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;

  g_clear_object (&data->message);
  data->message = confab_provider_create_models_message (data->provider, data->account,
                                                         data->context->api_key,
                                                         page_token, &error);
  /* NULL without an error: there is nothing to ask (an Azure deployment is
   * its own model list), and the provider names the models itself. */
  if (data->message == NULL && error == NULL &&
      confab_provider_parse_models (data->provider, NULL, data->models, NULL, &error))
    {
      g_task_return_pointer (task, g_steal_pointer (&data->models),
                             (GDestroyNotify)g_ptr_array_unref);
      g_object_unref (task);
      return;
    }
  if (data->message == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  soup_session_send_async (data->context->session, data->message, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), on_sent, task);
}

static void
on_context (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->context = confab_http_context_new_finish (result, &error);
  if (data->context == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  fetch_page (g_steal_pointer (&task), NULL);
}

void
confab_model_list_fetch_async (ConfabAccount       *account,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  GError *error = NULL;
  FetchData *data;

  g_return_if_fail (CONFAB_IS_ACCOUNT (account));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_model_list_fetch_async);

  provider = confab_provider_new_for_account (account, &error);
  if (provider == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (FetchData, 1);
  data->account = g_object_ref (account);
  data->provider = g_steal_pointer (&provider);
  data->models = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, data, (GDestroyNotify)fetch_data_free);

  confab_http_context_new_async (account, cancellable, on_context, g_steal_pointer (&task));
}

/* An array of model ids (char *), in the provider's order. */
GPtrArray *
confab_model_list_fetch_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
