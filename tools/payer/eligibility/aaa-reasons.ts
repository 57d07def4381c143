/**
 * What a 271 AAA means to the front desk: every reject reason code (AAA03, element 901) the TR3
 * lists for the 271, with a plain-language meaning, what staff do next, and the loops it may stand
 * in; and every follow-up action code (AAA04, element 889).
 *
 * Source: ASC X12N 005010X279A1 (270/271 TR3), the AAA segments of loops 2000A, 2100A, 2100B,
 * 2100C, 2110C, 2100D and 2110D. Code lists cross-checked against the per-loop code tables of
 * github.com/LinuxForHealth/x12 (src/linuxforhealth/x12/v5010/x12_271_005010X279A1/segments.py,
 * Apache-2.0) and the published 5010 A1 per-loop reject reason lists; the meanings and next steps
 * are ours, written for an infusion clinic's staff.
 */
import type { AaaLoop } from "../../edi/readers/eligibility-271.js";

/** One reject reason. */
export interface AaaReason {
  /** The TR3's name for the code. */
  name: string;
  /** What it means, in plain words. */
  meaning: string;
  /** What staff do next. */
  nextStep: string;
  /** The loops the TR3 lists the code for. */
  loops: readonly AaaLoop[];
}

const SUBJECT = ["2100C", "2100D"] as const;
const SUBJECT_AND_BENEFIT = ["2100C", "2110C", "2100D", "2110D"] as const;
const BENEFIT = ["2110C", "2110D"] as const;
const CHECK_CARD = "check the member id, name and birth date against the insurance card";
const BY_PHONE = "verify by phone or the payer's portal meanwhile";

/** AAA03 reject reason codes of the 271. */
export const AAA_REASONS: Readonly<Record<string, AaaReason>> = {
  "04": { name: "Authorized Quantity Exceeded", meaning: "the clinic sent more inquiries than the payer allows", nextStep: `resend later; if it repeats, ask the clearinghouse about the payer's inquiry limits; ${BY_PHONE}`, loops: ["2000A", "2100A"] },
  "15": { name: "Required application data missing", meaning: "the inquiry lacked something the payer needs to find the person (member id, name or birth date)", nextStep: `${CHECK_CARD}, complete the inquiry and resend`, loops: ["2100B", ...SUBJECT_AND_BENEFIT] },
  "33": { name: "Input Errors", meaning: "the payer could not read part of the benefit inquiry", nextStep: "check the service types and procedure codes asked about; resend, or ask the payer", loops: BENEFIT },
  "41": { name: "Authorization/Access Restrictions", meaning: "the clinic (or its clearinghouse) is not allowed to ask this payer for eligibility", nextStep: `check the clinic's enrollment for eligibility transactions with the payer or clearinghouse; ${BY_PHONE}`, loops: ["2000A", "2100A", "2100B"] },
  "42": { name: "Unable to Respond at Current Time", meaning: "the payer's system is down or busy", nextStep: "resend later; if the visit is close, verify by phone or the payer's portal", loops: ["2000A", "2100A", ...SUBJECT] },
  "43": { name: "Invalid/Missing Provider Identification", meaning: "the payer does not recognise the clinic's NPI as sent", nextStep: "check the NPI in the clinic's settings and that the clinic is enrolled with this payer", loops: ["2100B", ...SUBJECT] },
  "44": { name: "Invalid/Missing Provider Name", meaning: "the clinic's name does not match the payer's records", nextStep: "send the clinic's name exactly as enrolled with the payer", loops: ["2100B"] },
  "45": { name: "Invalid/Missing Provider Specialty", meaning: "the payer needs (or rejects) the provider's specialty", nextStep: "add or correct the provider taxonomy and resend", loops: ["2100B", ...SUBJECT] },
  "46": { name: "Invalid/Missing Provider Phone Number", meaning: "the clinic's phone number was missing or invalid", nextStep: "correct the clinic's phone number and resend", loops: ["2100B"] },
  "47": { name: "Invalid/Missing Provider State", meaning: "the clinic's state was missing or invalid", nextStep: "correct the clinic's address and resend", loops: ["2100B", ...SUBJECT] },
  "48": { name: "Invalid/Missing Referring Provider Identification Number", meaning: "the payer needs the referring provider's id", nextStep: "add the referring provider's NPI and resend", loops: ["2100B", ...SUBJECT] },
  "49": { name: "Provider is Not Primary Care Physician", meaning: "the plan answers this only for the member's primary care physician", nextStep: "check the plan's primary-care and referral rules with the payer", loops: SUBJECT },
  "50": { name: "Provider Ineligible for Inquiries", meaning: "the payer does not take eligibility inquiries from this provider", nextStep: `check the clinic's enrollment with the payer or clearinghouse; ${BY_PHONE}`, loops: ["2100B"] },
  "51": { name: "Provider Not on File", meaning: "the payer has no record of the clinic", nextStep: `enroll or credential the clinic with the payer, or correct the NPI; ${BY_PHONE}`, loops: ["2100B", ...SUBJECT] },
  "52": { name: "Service Dates Not Within Provider Plan Enrollment", meaning: "the clinic was not enrolled with the plan on the date of service", nextStep: "check the clinic's enrollment dates with the plan before the visit", loops: SUBJECT_AND_BENEFIT },
  "53": { name: "Inquired Benefit Inconsistent with Provider Type", meaning: "the benefit asked about does not fit this kind of provider", nextStep: "ask for a service type that fits the clinic, or ask the payer", loops: BENEFIT },
  "54": { name: "Inappropriate Product/Service ID Qualifier", meaning: "the payer does not take the code type of a procedure asked about", nextStep: "ask by service type instead of procedure code, or ask the payer", loops: BENEFIT },
  "55": { name: "Inappropriate Product/Service ID", meaning: "the payer does not take a procedure code asked about", nextStep: "check the HCPCS/CPT code; ask by service type, or ask the payer", loops: BENEFIT },
  "56": { name: "Inappropriate Date", meaning: "a date in the inquiry is not acceptable", nextStep: "check the date of service and the birth date, then resend", loops: SUBJECT_AND_BENEFIT },
  "57": { name: "Invalid/Missing Date(s) of Service", meaning: "the date of service was missing or not acceptable", nextStep: "check the date of service and resend", loops: SUBJECT_AND_BENEFIT },
  "58": { name: "Invalid/Missing Date-of-Birth", meaning: "the birth date was missing or invalid", nextStep: "send the birth date as on the insurance card and resend", loops: SUBJECT },
  "60": { name: "Date of Birth Follows Date(s) of Service", meaning: "the birth date sent is after the date of service", nextStep: "correct the birth date or the date of service", loops: SUBJECT_AND_BENEFIT },
  "61": { name: "Date of Death Precedes Date(s) of Service", meaning: "the payer records the person as deceased before the date of service", nextStep: "confirm the patient's identity and the payer's record with the payer", loops: SUBJECT_AND_BENEFIT },
  "62": { name: "Date of Service Not Within Allowable Inquiry Period", meaning: "the payer does not answer for a date that far back or ahead", nextStep: `resend closer to the date of service; ${BY_PHONE}`, loops: SUBJECT_AND_BENEFIT },
  "63": { name: "Date of Service in Future", meaning: "the payer does not answer for future dates", nextStep: `resend on or just before the date of service; ${BY_PHONE}`, loops: SUBJECT_AND_BENEFIT },
  "64": { name: "Invalid/Missing Patient ID", meaning: "the patient's id was missing or invalid", nextStep: "check the patient's member id on the card and resend", loops: SUBJECT },
  "65": { name: "Invalid/Missing Patient Name", meaning: "the patient's name was missing or does not match", nextStep: "send the name exactly as on the card (spelling, hyphens, suffix) and resend", loops: SUBJECT },
  "66": { name: "Invalid/Missing Patient Gender Code", meaning: "the patient's gender was missing or does not match", nextStep: "correct the patient's gender and resend", loops: SUBJECT },
  "67": { name: "Patient Not Found", meaning: "the payer found no such patient", nextStep: `${CHECK_CARD}; ask whether the patient is the subscriber or a dependent`, loops: SUBJECT },
  "68": { name: "Duplicate Patient ID Number", meaning: "the patient's id matches more than one person", nextStep: "send the full name and birth date, or ask the payer", loops: SUBJECT },
  "69": { name: "Inconsistent with Patient's Age", meaning: "the benefit asked about does not apply at the patient's age", nextStep: "check the service asked about; ask the payer if it should apply", loops: BENEFIT },
  "70": { name: "Inconsistent with Patient's Gender", meaning: "the benefit asked about does not apply to the patient's gender", nextStep: "check the service and the gender on file; ask the payer if it should apply", loops: BENEFIT },
  "71": { name: "Patient Birth Date Does Not Match That for the Patient on the Database", meaning: "the payer found the member, but with a different birth date", nextStep: "check the birth date in the chart against the card (and whether the patient is a dependent), correct it and resend", loops: SUBJECT },
  "72": { name: "Invalid/Missing Subscriber/Insured ID", meaning: "the member id is missing or not in the payer's format", nextStep: "check the member id on the card (prefix and suffix included) and resend", loops: ["2100C"] },
  "73": { name: "Invalid/Missing Subscriber/Insured Name", meaning: "the subscriber's name is missing or does not match the payer's", nextStep: "send the subscriber's name exactly as on the card (spelling, hyphens, suffix) and resend", loops: ["2100C"] },
  "74": { name: "Invalid/Missing Subscriber/Insured Gender Code", meaning: "the subscriber's gender was missing or does not match", nextStep: "correct the subscriber's gender and resend", loops: ["2100C"] },
  "75": { name: "Subscriber/Insured Not Found", meaning: "the payer found no member with the details sent", nextStep: `${CHECK_CARD}; confirm the patient still has this plan, or other insurance`, loops: ["2100C"] },
  "76": { name: "Duplicate Subscriber/Insured ID Number", meaning: "the member id matches more than one member", nextStep: "send the full name and birth date; ask the payer if it persists", loops: ["2100C"] },
  "77": { name: "Subscriber Found, Patient Not Found", meaning: "the subscriber was found, but the patient is not on the policy", nextStep: "confirm the patient is covered as a dependent (name, birth date, relationship) with the payer", loops: ["2100C"] },
  "78": { name: "Subscriber/Insured Not in Group/Plan Identified", meaning: "the member is not in the group or plan sent", nextStep: "check the group or plan on the card, or whether the plan changed", loops: ["2100C"] },
  "79": { name: "Invalid Participant Identification", meaning: "the payer id is not one the payer (or clearinghouse) recognises", nextStep: "check the payer id for this plan in the clinic's payer list", loops: ["2000A", "2100A", "2100B"] },
  "80": { name: "No Response received - Transaction Terminated", meaning: "the payer did not answer in time", nextStep: `resend later; ${BY_PHONE}`, loops: ["2100A"] },
  "97": { name: "Invalid or Missing Provider Address", meaning: "the clinic's address was missing or does not match the enrollment", nextStep: "correct the clinic's address as enrolled and resend", loops: ["2100B"] },
  "98": { name: "Experimental Service or Procedure", meaning: "the payer considers the service asked about experimental", nextStep: "check the payer's coverage policy; an authorization or medical-necessity review may be needed", loops: BENEFIT },
  AA: { name: "Authorization Number Not Found", meaning: "the payer has no authorization with the number sent", nextStep: "check the authorization number, or request an authorization", loops: BENEFIT },
  AE: { name: "Requires Primary Care Physician Authorization", meaning: "the plan needs a referral from the member's primary care physician", nextStep: "obtain the primary care physician's referral before the visit", loops: BENEFIT },
  AF: { name: "Invalid/Missing Diagnosis Code(s)", meaning: "the diagnosis codes were missing or invalid", nextStep: "add or correct the diagnosis codes and resend", loops: BENEFIT },
  AG: { name: "Invalid/Missing Procedure Code(s)", meaning: "the procedure codes were missing or invalid", nextStep: "correct the procedure codes asked about and resend", loops: BENEFIT },
  AO: { name: "Additional Patient Condition Information Required", meaning: "the payer needs more clinical information", nextStep: "send the clinical information the payer asks for, or call the payer", loops: BENEFIT },
  CI: { name: "Certification Information Does Not Match Patient", meaning: "the authorization sent belongs to someone else", nextStep: "check the authorization number against the patient", loops: BENEFIT },
  E8: { name: "Requires Medical Review", meaning: "the payer will review medical necessity", nextStep: "send the documentation; make sure a decision comes before the infusion", loops: BENEFIT },
  IA: { name: "Invalid Authorization Number Format", meaning: "the authorization number is not in the payer's format", nextStep: "correct the authorization number and resend", loops: BENEFIT },
  MA: { name: "Missing Authorization Number", meaning: "the payer needs an authorization number for this service", nextStep: "obtain the authorization and send its number", loops: BENEFIT },
  T4: { name: "Payer Name or Identifier Missing", meaning: "the inquiry lacked the payer's name or id", nextStep: "add the payer id for this plan and resend", loops: ["2100A", "2100B"] },
};

/** AAA04 follow-up action codes: what the payer asks the clinic to do. */
export const AAA_FOLLOW_UPS: Readonly<Record<string, { name: string; meaning: string }>> = {
  C: { name: "Please Correct and Resubmit", meaning: "correct what the reason names, then send the inquiry again" },
  N: { name: "Resubmission Not Allowed", meaning: "do not send it again: verify by phone or the payer's portal" },
  P: { name: "Please Resubmit Original Transaction", meaning: "send the same inquiry again, unchanged" },
  R: { name: "Resubmission Allowed", meaning: "the inquiry may be sent again (later)" },
  S: { name: "Do Not Resubmit; Inquiry Initiated to a Third Party", meaning: "do not send it again: the payer forwarded it and another party will answer" },
  W: { name: "Please Wait 30 Days and Resubmit", meaning: "wait 30 days before sending it again; verify another way if the visit is sooner" },
  X: { name: "Please Wait 10 Days and Resubmit", meaning: "wait 10 days before sending it again; verify another way if the visit is sooner" },
  Y: { name: "Do Not Resubmit; We Will Hold Your Request and Respond Again Shortly", meaning: "do not send it again: the payer will answer shortly" },
};

/** A reason code's entry, or a plain fallback for a code outside the TR3's list. */
export function aaaReason(code: string): AaaReason {
  return AAA_REASONS[code] ?? { name: `code ${code}`, meaning: `reject reason ${code}, which the 271 TR3 does not list`, nextStep: "ask the payer what it means", loops: [] };
}
