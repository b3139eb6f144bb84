## Errors
error-not-found = No { $what } { $key } was found
error-forbidden = You may not do this
error-database = Database error: { $reason }
thing-unit = unit
thing-member = member

## Fields
field-full_name = Full name
field-birth_date = Date of birth
field-sex = Sex
field-honorary = Honorary member
field-national_id = National ID
field-phone = Phone
field-address = Address
field-ethnicity = Ethnicity
field-religion = Religion
field-education = Education
field-qualification = Qualification
field-political_theory = Political theory
field-occupation = Occupation
field-party_member = Party member
field-segments = Segments
field-card_number = Member card number
field-joined_on = Date joined
field-unit = Unit
field-status = Status
field-effective_on = Effective date

## Validation
invalid-required = is required
invalid-name = letters and spaces only, 2 to 120 characters
invalid-sex = must be "female" or "male"
invalid-birth-date = is not valid (give a year, month/year or day/month/year, not in the future)
invalid-national-id-digits = must be exactly 12 digits
invalid-national-id-province = its first three digits are not a province code
invalid-national-id-sex = its fourth digit does not match the sex
invalid-national-id-year = gives birth year { $year }, which does not match the date of birth
invalid-phone = must be 10 digits starting with 0
invalid-code = is not in the list
invalid-date = is not a valid date (dd/mm/yyyy)
invalid-unit-level = members belong to commune unions, branches, women's groups or agency unions
invalid-future-date = cannot be in the future
invalid-before-unit = is before the unit existed
invalid-ordinary-sex = ordinary members are women; men can only be honorary members
invalid-under-18 = members must be 18 or older when they join
invalid-not-active = the member is not active
invalid-same-unit = the member already belongs to this unit
invalid-not-left = only a member who left can be restored
invalid-before-last-movement = cannot be before the member's latest change ({ $date })
conflict-national-id = This national ID belongs to { $name } (member { $id }), active in { $unit }
conflict-stale = Someone else saved this record while you were editing; reload it and make your change again
warning-similar = Possible duplicate: { $name }, born { $birth }, member { $id }, unit { $unit } — please check

## Unit kinds
kind-central = Central
kind-province = Province
kind-commune = Commune/ward
kind-branch = Branch
kind-group = Women's group
kind-agency = Agency or enterprise
kind-ordinary = Member
kind-honorary = Honorary member

## Columns
col-code = Code
col-kind = Level
col-name = Name
col-parent = Parent
col-id = Member
col-full-name = Full name
col-birth = Born
col-unit = Unit
col-status = Status
col-date = Date
col-event = Event
col-recorded-by = Recorded by
col-members = Members
col-new-this-year = New this year
col-coverage = Coverage rate
col-opening = Opening
col-new = New
col-in = In
col-out = Out
col-left = Left
col-died = Died
col-closing = Closing
col-total = Total

## Statuses and events
status-active = Active
status-left = Left
status-died = Died
status-transferred = Transferred out
event-joined = Joined
event-transferred_out = Transferred out
event-transferred_in = Transferred in
event-left = Left
event-died = Died
event-restored = Restored
event-corrected = Record corrected
member-history = Membership history

## Breakdowns
dim-kind = Kind of member
dim-ethnicity = Ethnicity
dim-kinh_minority = Kinh / ethnic minorities
dim-religion = Religion
dim-education = Education
dim-occupation = Occupation
dim-party = Party members
dim-segment = Segments
dim-age_band = Age
value-unknown = Unknown
kinh_minority-kinh = Kinh
kinh_minority-minority = Ethnic minorities
kinh_minority-unknown = Unknown
party-yes = Party member
party-no = Not a Party member
religion-none = None
religion-buddhism = Buddhism
religion-catholic = Catholic
religion-protestant = Protestant
religion-caodai = Cao Đài
religion-hoahao = Hòa Hảo Buddhism
religion-islam = Islam
religion-other = Other
education-none = None
education-primary = Primary
education-lower_secondary = Lower secondary
education-upper_secondary = Upper secondary
qualification-none = None
qualification-elementary = Elementary
qualification-vocational = Vocational
qualification-college = College
qualification-university = University
qualification-master = Master's
qualification-doctorate = Doctorate
political_theory-none = None
political_theory-elementary = Elementary
political_theory-intermediate = Intermediate
political_theory-advanced = Advanced
occupation-farmer = Farmer
occupation-worker = Worker
occupation-civil_servant = Civil servant
occupation-business = Business
occupation-freelance = Self-employed
occupation-student = Student
occupation-homemaker = Homemaker
occupation-retired = Retired
occupation-other = Other
segment-intellectual = Intellectuals
segment-entrepreneur = Entrepreneurs
segment-influencer = Influencers
segment-worker = Workers
segment-farmer = Farmers
segment-ethnic_minority = Ethnic minorities
segment-religious = Religious followers

## Reports
report-movements-title = Membership movements
check-total = running total

## Command line
cli-bad-date = Not a valid date: "{ $value }" (use YYYY-MM-DD or dd/mm/yyyy)
cli-bad-period = Not a valid period: "{ $value }" (e.g. 2025, 2025-H1, 2025-Q3, 2025-07, 2025-01-01..2025-03-31)
cli-bad-addr = Not a valid address: "{ $value }" (e.g. 127.0.0.1:8080)
cli-init-done = Initialised: { $created } units added, { $existing } already present.
cli-units-count = { $count } units
cli-check-clean = Check complete: the statistics agree with the ledger.
cli-check-difference = Difference: unit { $unit }, { $month }, { $cell }: stored { $stored }, recomputed { $recomputed }
cli-check-failed = { $count } differences between the statistics and the ledger
cli-member-added = Member added, id { $id }.
cli-member-corrected = Record corrected.
cli-member-unchanged = Nothing changed.
cli-member-transferred = Member { $id } transferred to { $unit }.
cli-member-left = Recorded that the member left.
cli-member-died = Recorded that the member died.
cli-member-restored = Member restored.
cli-page = Page { $page }, { $total } members in all
cli-demo-present = The database already holds demo data ({ $what }); using it.
cli-demo-built = Demo built: { $communes } communes, { $branches } branches, { $members } members, { $events } events in { $seconds } s.
cli-serving = Sổ Hội is running at { $url } (Ctrl-C to stop)

## Web
web-empty = The database holds no units yet. Run "sohoi init".
web-not-found = This page was not found.
web-children = { $count } units below
