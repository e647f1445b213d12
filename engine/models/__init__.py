"""Persistence models, one module per idea; imported here so metadata is complete."""

from engine.models.applications import Application, Coupon, CouponPoolAlert, Notification, Upload
from engine.models.audit import AuditEntry, Incident
from engine.models.mail import OutboxMail, PasswordReset
from engine.models.payments import Payment
from engine.models.people import AuthToken, Officer, User, UserRole
from engine.models.process import FormSchema, HumanTask, ProcessDefinition, ProcessInstance, ProcessScenario
from engine.models.reference import CCA, Course, CourseRun

__all__ = [
    "CCA",
    "Application",
    "AuditEntry",
    "AuthToken",
    "Coupon",
    "CouponPoolAlert",
    "Course",
    "CourseRun",
    "FormSchema",
    "HumanTask",
    "Incident",
    "Notification",
    "Officer",
    "OutboxMail",
    "PasswordReset",
    "Payment",
    "ProcessDefinition",
    "ProcessInstance",
    "ProcessScenario",
    "Upload",
    "User",
    "UserRole",
]
