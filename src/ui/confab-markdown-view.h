/* confab-markdown-view.h: a (streaming) markdown reply as native widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_MARKDOWN_VIEW (confab_markdown_view_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMarkdownView, confab_markdown_view, CONFAB, MARKDOWN_VIEW, GtkWidget)

GtkWidget  *confab_markdown_view_new               (void);
const char *confab_markdown_view_get_text          (ConfabMarkdownView *self);
void        confab_markdown_view_set_text          (ConfabMarkdownView *self,
                                                    const char         *text);
void        confab_markdown_view_append            (ConfabMarkdownView *self,
                                                    const char         *delta);
void        confab_markdown_view_flush             (ConfabMarkdownView *self);
double      confab_markdown_view_get_text_scale    (ConfabMarkdownView *self);
void        confab_markdown_view_set_text_scale    (ConfabMarkdownView *self,
                                                    double              text_scale);
gboolean    confab_markdown_view_get_remote_images (ConfabMarkdownView *self);
void        confab_markdown_view_set_remote_images (ConfabMarkdownView *self,
                                                    gboolean            remote_images);
void        confab_markdown_view_set_image         (ConfabMarkdownView *self,
                                                    const char         *uri,
                                                    GdkPaintable       *paintable);

G_END_DECLS
