"""Forms for the mailbox settings, sending a letter by email, and assigning a triaged message."""

from django import forms

from records.models import Mailbox, RecordsRequest

from .connect import is_loopback
from .secrets import MailSecretMissing, encrypt

SAVED = "Saved — type to replace."
NO_TLS_REMOTE = (
    "“None” is only allowed for a server on this machine (localhost): anywhere else the password and "
    "the mail would cross the network unencrypted. Choose SSL/TLS or STARTTLS."
)


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(label="IMAP app password", required=False, widget=forms.PasswordInput)
    smtp_password = forms.CharField(label="SMTP password", required=False, widget=forms.PasswordInput)

    class Meta:
        model = Mailbox
        fields = [
            "address", "active", "imap_host", "imap_port", "imap_security", "imap_user", "imap_password",
            "imap_folder", "smtp_host", "smtp_port", "smtp_security", "smtp_user", "smtp_password",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A saved password is never sent back to the browser.
        if self.instance.imap_password_encrypted:
            self.fields["imap_password"].help_text = SAVED
        if self.instance.smtp_password_encrypted:
            self.fields["smtp_password"].help_text = SAVED

    def clean(self):
        cleaned = super().clean()
        for prefix in ("imap", "smtp"):
            host, security = cleaned.get(f"{prefix}_host"), cleaned.get(f"{prefix}_security")
            if host and security == "none" and not is_loopback(host):
                self.add_error(f"{prefix}_security", NO_TLS_REMOTE)
        if not cleaned.get("imap_password") and not self.instance.imap_password_encrypted:
            self.add_error("imap_password", "Type the IMAP password (an app password for most providers).")
        try:
            self._encrypted = {
                prefix: encrypt(cleaned[f"{prefix}_password"])
                for prefix in ("imap", "smtp")
                if cleaned.get(f"{prefix}_password")
            }
        except MailSecretMissing as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned

    def save(self, commit=True):
        mailbox = super().save(commit=False)
        for prefix, token in self._encrypted.items():
            setattr(mailbox, f"{prefix}_password_encrypted", token)
        if self._encrypted:  # new credentials: try them at the next fetch instead of waiting out a back-off
            mailbox.failing_since, mailbox.retry_after, mailbox.failures, mailbox.last_error = None, None, 0, ""
        if commit:
            mailbox.save()
        return mailbox


class SendLetterForm(forms.Form):
    to = forms.EmailField(label="To")
    subject = forms.CharField(max_length=500)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16}), label="Letter")
    attachments = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Attach files of this request"
    )
    letter_kind = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, records_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].queryset = records_request.documents.filter(archive=None).order_by("original_name")


class AssignForm(forms.Form):
    request = forms.ModelChoiceField(queryset=None, label="File on request", empty_label="Choose a request…")

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = RecordsRequest.objects.for_team(team).order_by("-created_at")
