## Errors
error-not-found = Không tìm thấy { $what } { $key }
error-forbidden = Bạn không có quyền thực hiện thao tác này
error-database = Lỗi cơ sở dữ liệu: { $reason }
thing-unit = đơn vị
thing-member = hội viên

## Fields
field-full_name = Họ và tên
field-birth_date = Ngày sinh
field-sex = Giới tính
field-honorary = Hội viên danh dự
field-national_id = Số CCCD
field-phone = Số điện thoại
field-address = Địa chỉ
field-ethnicity = Dân tộc
field-religion = Tôn giáo
field-education = Trình độ học vấn
field-qualification = Chuyên môn
field-political_theory = Lý luận chính trị
field-occupation = Nghề nghiệp
field-party_member = Đảng viên
field-segments = Nhóm đối tượng
field-card_number = Số thẻ hội viên
field-joined_on = Ngày vào Hội
field-unit = Đơn vị
field-status = Trạng thái
field-effective_on = Ngày hiệu lực

## Validation
invalid-required = không được để trống
invalid-name = chỉ gồm chữ cái và dấu cách, từ 2 đến 120 ký tự
invalid-sex = phải là "nữ" hoặc "nam"
invalid-birth-date = không hợp lệ (nhập năm, tháng/năm hoặc ngày/tháng/năm, không ở tương lai)
invalid-national-id-digits = phải gồm đúng 12 chữ số
invalid-national-id-province = ba chữ số đầu không phải mã tỉnh hợp lệ
invalid-national-id-sex = chữ số thứ tư không khớp với giới tính
invalid-national-id-year = năm sinh theo số CCCD là { $year }, không khớp với ngày sinh
invalid-phone = phải gồm 10 chữ số, bắt đầu bằng 0
invalid-code = giá trị không có trong danh mục
invalid-date = ngày không hợp lệ (dd/mm/yyyy)
invalid-unit-level = hội viên chỉ sinh hoạt ở cơ sở Hội, chi hội, tổ phụ nữ hoặc Hội phụ nữ cơ quan, doanh nghiệp
invalid-future-date = không được ở tương lai
invalid-before-unit = trước ngày thành lập đơn vị
invalid-ordinary-sex = hội viên thường phải là nữ; nam giới chỉ có thể là hội viên danh dự
invalid-under-18 = hội viên phải đủ 18 tuổi khi vào Hội
invalid-not-active = hội viên không còn sinh hoạt
invalid-same-unit = hội viên đang sinh hoạt ở đơn vị này
invalid-not-left = chỉ khôi phục được hội viên đã ra khỏi Hội
invalid-before-last-movement = không được trước ngày biến động gần nhất của hội viên ({ $date })
conflict-national-id = Số CCCD này đã thuộc hội viên { $name } (mã { $id }) đang sinh hoạt tại { $unit }
conflict-stale = Hồ sơ đã được người khác cập nhật trong lúc bạn sửa; hãy tải lại và nhập lại thay đổi
warning-similar = Có thể trùng: { $name }, sinh { $birth }, mã { $id }, đơn vị { $unit } — hãy kiểm tra lại

## Unit kinds
kind-central = Trung ương
kind-province = Tỉnh/thành phố
kind-commune = Xã/phường/đặc khu
kind-branch = Chi hội
kind-group = Tổ phụ nữ
kind-agency = Cơ quan, doanh nghiệp
kind-ordinary = Hội viên
kind-honorary = Hội viên danh dự

## Columns
col-code = Mã
col-kind = Cấp
col-name = Tên
col-parent = Trực thuộc
col-id = Mã HV
col-full-name = Họ và tên
col-birth = Ngày sinh
col-unit = Đơn vị
col-status = Trạng thái
col-date = Ngày
col-event = Sự kiện
col-recorded-by = Người ghi
col-members = Số hội viên
col-new-this-year = Kết nạp mới trong năm
col-coverage = Tỷ lệ tập hợp
col-opening = Đầu kỳ
col-new = Phát triển mới
col-in = Chuyển đến
col-out = Chuyển đi
col-left = Ra khỏi Hội
col-died = Từ trần
col-closing = Cuối kỳ
col-total = Tổng cộng

## Statuses and events
status-active = Đang sinh hoạt
status-left = Đã ra khỏi Hội
status-died = Đã từ trần
status-transferred = Đã chuyển đi
event-joined = Kết nạp
event-transferred_out = Chuyển sinh hoạt đi
event-transferred_in = Chuyển sinh hoạt đến
event-left = Ra khỏi Hội
event-died = Từ trần
event-restored = Khôi phục
event-corrected = Đính chính hồ sơ
member-history = Quá trình sinh hoạt

## Breakdowns
dim-kind = Loại hội viên
dim-ethnicity = Dân tộc
dim-kinh_minority = Kinh / dân tộc thiểu số
dim-religion = Tôn giáo
dim-education = Trình độ học vấn
dim-occupation = Nghề nghiệp
dim-party = Đảng viên
dim-segment = Nhóm đối tượng
dim-age_band = Độ tuổi
value-unknown = Chưa rõ
kinh_minority-kinh = Kinh
kinh_minority-minority = Dân tộc thiểu số
kinh_minority-unknown = Chưa rõ
party-yes = Đảng viên
party-no = Không
religion-none = Không
religion-buddhism = Phật giáo
religion-catholic = Công giáo
religion-protestant = Tin lành
religion-caodai = Cao Đài
religion-hoahao = Phật giáo Hòa Hảo
religion-islam = Hồi giáo
religion-other = Khác
education-none = Chưa qua đào tạo
education-primary = Tiểu học
education-lower_secondary = Trung học cơ sở
education-upper_secondary = Trung học phổ thông
qualification-none = Không
qualification-elementary = Sơ cấp
qualification-vocational = Trung cấp
qualification-college = Cao đẳng
qualification-university = Đại học
qualification-master = Thạc sĩ
qualification-doctorate = Tiến sĩ
political_theory-none = Không
political_theory-elementary = Sơ cấp
political_theory-intermediate = Trung cấp
political_theory-advanced = Cao cấp
occupation-farmer = Nông dân
occupation-worker = Công nhân
occupation-civil_servant = Cán bộ, công chức, viên chức
occupation-business = Kinh doanh
occupation-freelance = Lao động tự do
occupation-student = Học sinh, sinh viên
occupation-homemaker = Nội trợ
occupation-retired = Hưu trí
occupation-other = Khác
segment-intellectual = Trí thức
segment-entrepreneur = Doanh nhân
segment-influencer = Người có uy tín
segment-worker = Công nhân
segment-farmer = Nông dân
segment-ethnic_minority = Dân tộc thiểu số
segment-religious = Tôn giáo

## Reports
report-movements-title = Báo cáo biến động hội viên
check-total = lũy kế

## Command line
cli-bad-date = Ngày không hợp lệ: "{ $value }" (dùng YYYY-MM-DD hoặc dd/mm/yyyy)
cli-bad-period = Kỳ báo cáo không hợp lệ: "{ $value }" (ví dụ 2025, 2025-H1, 2025-Q3, 2025-07, 2025-01-01..2025-03-31)
cli-bad-addr = Địa chỉ không hợp lệ: "{ $value }" (ví dụ 127.0.0.1:8080)
cli-init-done = Đã khởi tạo: thêm { $created } đơn vị, { $existing } đơn vị đã có sẵn.
cli-units-count = { $count } đơn vị
cli-check-clean = Kiểm tra xong: số liệu thống kê khớp với sổ biến động.
cli-check-difference = Lệch: đơn vị { $unit }, { $month }, { $cell }: đang lưu { $stored }, tính lại { $recomputed }
cli-check-failed = Có { $count } chỗ lệch giữa số liệu thống kê và sổ biến động
cli-member-added = Đã thêm hội viên, mã { $id }.
cli-member-corrected = Đã đính chính hồ sơ.
cli-member-unchanged = Không có gì thay đổi.
cli-member-transferred = Đã chuyển sinh hoạt hội viên { $id } đến { $unit }.
cli-member-left = Đã ghi nhận hội viên ra khỏi Hội.
cli-member-died = Đã ghi nhận hội viên từ trần.
cli-member-restored = Đã khôi phục hội viên.
cli-page = Trang { $page }, tổng số { $total } hội viên
cli-demo-present = Cơ sở dữ liệu đã có dữ liệu mẫu ({ $what }); dùng lại.
cli-demo-built = Đã tạo dữ liệu mẫu: { $communes } cơ sở, { $branches } chi hội, { $members } hội viên, { $events } sự kiện trong { $seconds } giây.
cli-serving = Sổ Hội đang chạy tại { $url } (Ctrl-C để dừng)

## Web
web-empty = Cơ sở dữ liệu chưa có đơn vị nào. Hãy chạy "sohoi init".
web-not-found = Không tìm thấy trang này.
web-children = { $count } đơn vị trực thuộc
