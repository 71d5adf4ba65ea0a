package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mqttdesk/mqttdesk/app"
	"github.com/mqttdesk/mqttdesk/model"
)

// showEditor opens the connection editor on p (a new connection when p.ID
// is empty).
func (w *Window) showEditor(p model.Profile) *editorForm {
	f := newEditorForm(w, w.core, p)
	title := "Edit " + p.Options.Name
	if p.ID == "" {
		title = "New connection"
	}
	var d *dialog.CustomDialog
	saveThen := func(connect bool) {
		saved, err := f.saveProfile()
		if err != nil {
			f.showProblem(err)
			return
		}
		d.Hide()
		w.saved(saved)
		if connect {
			w.connect(saved)
		}
	}
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { saveThen(false) })
	save.Importance = widget.HighImportance
	saveConnect := widget.NewButton("Save and connect", func() { saveThen(true) })
	f.save, f.saveConnect = save, saveConnect
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	buttons := container.NewHBox(f.testButton, layout.NewSpacer(), cancel, saveConnect, save)
	body := container.NewBorder(nil, container.NewVBox(f.problem, buttons), nil, nil, f.tabs)
	d = dialog.NewCustomWithoutButtons(title, body, w.Window)
	d.Resize(fyne.NewSize(720, 620))
	submitOnEnter(func() { saveThen(false) }, f.fields...)
	w.dialogs.showSubmitting(d, func() { saveThen(false) })
	w.Canvas().Focus(f.name)
	return f
}

// saveProfile checks the form and saves the connection.
func (f *editorForm) saveProfile() (model.Profile, error) {
	p, err := f.collect()
	if err != nil {
		return p, err
	}
	return f.core.SaveProfile(p)
}

// test tries the connection as the form says, without saving it.
func (f *editorForm) test() {
	p, err := f.collect()
	if err != nil {
		f.showProblem(err)
		return
	}
	f.testButton.Disable()
	f.problem.Importance = widget.MediumImportance
	f.problem.SetText("Connecting to " + p.Options.URL() + "…")
	f.problem.Show()
	inBackground(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		return struct{}{}, f.core.TestConnection(ctx, p.Options)
	}, func(_ struct{}, err error) {
		f.testButton.Enable()
		if err != nil {
			f.problem.Importance = widget.DangerImportance
			f.problem.SetText("Test failed: " + app.UserMessage(err))
			return
		}
		f.problem.Importance = widget.SuccessImportance
		f.problem.SetText("Connected to " + p.Options.URL() + " and disconnected cleanly: the settings work.")
	})
}

// showProblem says what is wrong and opens the tab it is on.
func (f *editorForm) showProblem(err error) {
	var fe *fieldError
	if errors.As(err, &fe) {
		f.tabs.SelectIndex(fe.tab)
	}
	f.problem.Importance = widget.DangerImportance
	f.problem.SetText(app.UserMessage(err))
	f.problem.Show()
}

// fieldError is a problem in the form, with the tab it is on.
type fieldError struct {
	tab int
	err error
}

func (e *fieldError) Error() string { return e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }
