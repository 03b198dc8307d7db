/* confab-widget-util.h: small helpers shared by the widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void confab_widget_unparent_children (GtkWidget *widget);

G_END_DECLS
