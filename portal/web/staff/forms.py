"""Forms of the back office. Every case action carries the state (and assignee) the clerk saw, so a
change made by someone else in between is caught and reported instead of acted on blindly."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from portal.domain.applications.case_notes import MAX_NOTE
from portal.domain.fields.definition_fields import MultiCheckboxField
from portal.domain.rendering.lifecycle import CATEGORIES, CHOOSABLE, MAX_REASON
from portal.domain.retention.holds import REASON_MAX as HOLD_REASON_MAX
from portal.domain.workflow.engine import MAX_REASON_TEXT


class ChoiceField(SelectField):
    """A select whose forged value gets our message, in the page's language."""

    def pre_validate(self, form):
        values = {c.value if isinstance(c, SelectChoice) else c[0] for c in self.choices}
        if self.data not in values:
            raise ValidationError(_l("Choose one of the options."))


class QueueFilterForm(FlaskForm):
    """Read from the query string (a GET form: nothing changes, no CSRF)."""

    class Meta:
        csrf = False

    service = ChoiceField(_l("Service"))
    state = ChoiceField(_l("Status"))
    who = ChoiceField(_l("Assigned to"))
    q = StringField(_l("Reference or applicant's name"), validators=[Optional(), Length(max=120)])


class PrefixedForm(FlaskForm):
    """A form that shares a page with others: its fields get ids starting with `id_prefix`."""

    def __init__(self, *args, id_prefix: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Several action forms share one page: give their fields distinct ids (names stay plain).
        if id_prefix:
            for field in self:
                if field.name != "csrf_token":
                    field.id = f"{id_prefix}-{field.name}"
                    field.label.field_id = field.id


class CaseForm(PrefixedForm):
    """The base of every case action: the state the clerk saw when the page was drawn."""

    seen_state = HiddenField()


class NoteForm(PrefixedForm):
    """An internal note or a message to the applicant."""

    body = TextAreaField(validators=[
        DataRequired(message=_l("Write something before you send it.")),
        Length(max=MAX_NOTE, message=_l("Write at most %(max)d characters.")),
    ])

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label is not None:
            self.body.label.text = label


class ReasonForm(CaseForm):
    reason = ChoiceField(_l("Reason"))
    reason_text = TextAreaField(
        _l("Reason in your own words (shown to the applicant)"),
        validators=[Length(max=MAX_REASON_TEXT, message=_l("Write at most %(max)d characters."))],
    )

    def __init__(self, *args, reasons=(), required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.required = required
        self.reason.choices = [("", _l("Choose a reason"))] + list(reasons)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and self.required and not self.reason.data and not (self.reason_text.data or "").strip():
            self.reason.errors = [str(_l("Choose a reason or write one."))]
            return False
        return ok


class RequestInfoForm(CaseForm):
    # The definition's reasons for asking, when it has any; the message says the rest in the clerk's words.
    reason = ChoiceField(_l("Reason"))
    editable = MultiCheckboxField(
        _l("What the applicant may change"),
        invalid_message=_l("Choose among the fields and documents listed."),
    )
    message = TextAreaField(
        _l("Message to the applicant"),
        validators=[Length(max=MAX_REASON_TEXT, message=_l("Write at most %(max)d characters."))],
    )

    def __init__(self, *args, choices=(), reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.editable.choices = [SelectChoice(value, label) for value, label in choices]
        if reasons:
            self.reason.choices = [("", _l("Choose a reason"))] + list(reasons)
        else:
            del self.reason  # nothing to choose from: no field, and no error about it

    @property
    def has_reasons(self) -> bool:
        return self.reason is not None

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not self.editable.data:
            self.editable.errors = [str(_l("Choose at least one field or document the applicant may change."))]
            return False
        if ok and not (self.message.data or "").strip():
            self.message.errors = [str(_l("Write a message telling the applicant what is needed."))]
            return False
        return ok


class AssignmentForm(CaseForm):
    """Claim, release or assign: the assignee the clerk saw ("" for nobody)."""

    seen_assignee = HiddenField()


class AssignForm(AssignmentForm):
    assignee = ChoiceField(_l("Assign to"))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee.choices = list(people)


class RevokeForm(PrefixedForm):
    """Revoking an issued document: a public category (shown on /verify) and the reason in the supervisor's
    words (told to the holder, kept for staff, never public)."""

    category = ChoiceField(_l("Reason, as anyone checking the document will see it"))
    reason = TextAreaField(_l("Reason in your own words (sent to the holder, not shown publicly)"), validators=[
        DataRequired(message=_l("Write why the document is revoked.")),
        Length(max=MAX_REASON, message=_l("Write at most %(max)d characters.")),
    ])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("Choose a reason"))] + [(c, CATEGORIES[c]) for c in CHOOSABLE]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.category.data:
            self.category.errors = [str(_l("Choose a reason."))]
            return False
        return ok


class SupersedeForm(PrefixedForm):
    """Issuing a corrected document: nothing to fill in but the CSRF token."""


class CounterPaymentForm(PrefixedForm):
    """Money received at the counter: the amount, the currency the case owes in, cash or a bank transfer,
    and the number of the paper receipt the cashier wrote."""

    amount = StringField(_l("Amount received"), validators=[
        DataRequired(message=_l("Write the amount received.")), Length(max=20)])
    currency = ChoiceField(_l("Currency"))
    method = ChoiceField(_l("Paid by"), choices=[SelectChoice("counter_cash", _l("Cash")),
                                                 SelectChoice("counter_transfer", _l("Bank transfer"))])
    receipt_number = StringField(_l("Receipt number you wrote"), validators=[
        DataRequired(message=_l("Write the receipt number.")), Length(max=40)])
    transfer_reference = StringField(_l("Bank transfer reference"), validators=[Optional(), Length(max=100)])

    def validate_transfer_reference(self, field):
        if self.method.data == "counter_transfer" and not (field.data or "").strip():
            raise ValidationError(_l("Write the bank's reference of the transfer."))


class ReversalForm(PrefixedForm):
    """A supervisor's reversal of a payment, with the reason (kept in the ledger and the audit log)."""

    reason = TextAreaField(_l("Why is this payment reversed?"), validators=[
        DataRequired(message=_l("Write why the payment is reversed.")), Length(max=MAX_REASON_TEXT)])


class FinancePeriodForm(FlaskForm):
    """The finance page's agency and Cambodian days, read from the query string (GET: no CSRF). Dates are
    ISO (a date input sends them so); Khmer digits are read too."""

    class Meta:
        csrf = False

    agency = ChoiceField(_l("Office"))
    start = StringField(_l("From"), validators=[Optional(), Length(max=10)])
    end = StringField(_l("To"), validators=[Optional(), Length(max=10)])


class FindCaseForm(FlaskForm):
    """A case found by its reference (posted: a reference is personal enough to keep out of URLs)."""

    reference = StringField(_l("Case reference"), validators=[DataRequired(message=_l("Write the case's reference.")),
                                                             Length(max=40)])


class HoldForm(PrefixedForm):
    """Placing or lifting a legal hold (portal.domain.retention.holds): always with a reason."""

    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(message=_l("Say why: the case, court order or investigation, so others know when it may end.")),
        Length(max=HOLD_REASON_MAX, message=_l("Write at most %(max)d characters.")),
    ])
