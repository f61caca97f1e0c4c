<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_TW">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../desktop/ui/about.py" line="41" />
        <source>About ConsultScribe</source>
        <translation>關於 ConsultScribe</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about.py" line="46" />
        <source>Everything stays on this computer: recordings, notes and the models.</source>
        <translation>所有資料都留在這部電腦：錄音、病歷及模型。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about.py" line="53" />
        <source>Log folder:</source>
        <translation>記錄檔資料夾：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about.py" line="59" />
        <source>Open folder</source>
        <translation>開啟資料夾</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about.py" line="69" />
        <source>speech</source>
        <translation>語音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about.py" line="69" />
        <source>language model</source>
        <translation>語言模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about.py" line="77" />
        <source>ready</source>
        <translation>可用</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about.py" line="77" />
        <source>missing</source>
        <translation>缺少</translation>
    </message>
</context>
<context>
    <name>AddUserDialog</name>
    <message>
        <location filename="../../desktop/ui/admin.py" line="48" />
        <source>Add user</source>
        <translation>新增用戶</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="68" />
        <source>User name</source>
        <translation>用戶名稱</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="69" />
        <source>Full name</source>
        <translation>全名</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="70" />
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="71" />
        <source>Registration no.</source>
        <translation>註冊編號</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="72" />
        <source>Initial password</source>
        <translation>初始密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="73" />
        <source>Repeat password</source>
        <translation>再次輸入密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="84" />
        <source>Choose a user name.</source>
        <translation>請選擇用戶名稱。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="86" />
        <source>The password needs at least 8 characters.</source>
        <translation>密碼最少需要 8 個字元。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="88" />
        <source>The two passwords are different.</source>
        <translation>兩次輸入的密碼不同。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="90" />
        <source>A doctor's account needs the registration number.</source>
        <translation>醫生帳戶需要註冊編號。</translation>
    </message>
</context>
<context>
    <name>AdminDialog</name>
    <message>
        <location filename="../../desktop/ui/admin.py" line="150" />
        <source>Administration</source>
        <translation>系統管理</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="163" />
        <source>User name</source>
        <translation>用戶名稱</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="164" />
        <source>Full name</source>
        <translation>全名</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="165" />
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="166" />
        <source>Registration no.</source>
        <translation>註冊編號</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="167" />
        <source>Active</source>
        <translation>啟用</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="175" />
        <source>Add user…</source>
        <translation>新增用戶…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="177" />
        <source>Deactivate…</source>
        <translation>停用…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="179" />
        <source>Reset password…</source>
        <translation>重設密碼…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="186" />
        <source>Users</source>
        <translation>用戶</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="197" />
        <source>Policy</source>
        <translation>政策</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="203" />
        <source>Filter by user, action or record</source>
        <translation>按用戶、操作或紀錄篩選</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="205" />
        <source>Export CSV…</source>
        <translation>匯出 CSV…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="213" />
        <source>Time</source>
        <translation>時間</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="213" />
        <source>User</source>
        <translation>用戶</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="213" />
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="213" />
        <source>Record</source>
        <translation>紀錄</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="213" />
        <source>Detail</source>
        <translation>詳情</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="220" />
        <source>Audit log</source>
        <translation>審計紀錄</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="248" />
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="248" />
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="288" />
        <source>Deactivate account</source>
        <translation>停用帳戶</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="290" />
        <source>Deactivate %1? They can no longer sign in; what they wrote stays in the records. This cannot be undone: a returning colleague gets a new account.</source>
        <translation>停用 %1？此帳戶將無法再登入；其撰寫的內容仍保留在紀錄中。此操作無法還原：同事回來時需開新帳戶。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="326" />
        <source>Saved. The clinic policy applies on every computer.</source>
        <translation>已儲存。診所政策適用於每部電腦。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="345" />
        <source>Export audit log</source>
        <translation>匯出審計紀錄</translation>
    </message>
</context>
<context>
    <name>AdminHome</name>
    <message>
        <location filename="../../desktop/ui/main.py" line="90" />
        <source>Administration</source>
        <translation>系統管理</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="93" />
        <source>Manage users and roles, the clinic policy and letterhead, models, and read the audit log. Administrators do not see consultations or notes.</source>
        <translation>管理用戶及角色、診所政策及信頭、模型，並查閱審計紀錄。管理員不會看到診症或病歷。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="100" />
        <source>Users, policy and audit log…</source>
        <translation>用戶、政策及審計紀錄…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="102" />
        <source>Settings…</source>
        <translation>設定…</translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <location filename="../../desktop/ui/intake/alert.py" line="49" />
        <source>CATEGORY 1 (critical): a patient is waiting. Unlock to see who.</source>
        <translation>第 1 類（危急）：有病人正在等候。請解鎖查看是誰。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/alert.py" line="50" />
        <source>warning signs in the intake</source>
        <translation>預診問答中有警號</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/alert.py" line="52" />
        <source>CATEGORY 1 (critical): patient %1 — %2 — waiting %3 min. Tell a nurse or doctor now.</source>
        <translation>第 1 類（危急）：病人 %1 — %2 — 已等候 %3 分鐘。請立即通知護士或醫生。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/alert.py" line="73" />
        <source>Acknowledge</source>
        <translation>已知悉</translation>
    </message>
</context>
<context>
    <name>CategoryDialog</name>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="64" />
        <source>Change the category of patient %1</source>
        <translation>更改病人 %1 的分流類別</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="67" />
        <source>Now: %1 (%2)</source>
        <translation>現時：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="79" />
        <source>What you saw or were told</source>
        <translation>你所見或所聽到的情況</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="83" />
        <source>New category</source>
        <translation>新類別</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="84" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="96" />
        <source>Say why the category changes.</source>
        <translation>請說明更改類別的原因。</translation>
    </message>
</context>
<context>
    <name>ChangePasswordPage</name>
    <message>
        <location filename="../../desktop/ui/password.py" line="36" />
        <source>Choose your own password</source>
        <translation>設定你自己的密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="52" />
        <source>Change password</source>
        <translation>更改密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="55" />
        <source>Sign out</source>
        <translation>登出</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="58" />
        <source>Password you were given</source>
        <translation>獲發的密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="59" />
        <source>New password</source>
        <translation>新密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="60" />
        <source>Repeat new password</source>
        <translation>再次輸入新密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="84" />
        <source>%1, your password was set by an administrator. Choose one only you know before you continue; the administrator will not see it.</source>
        <translation>%1，你的密碼由管理員設定。請先設定一個只有你知道的密碼才可繼續；管理員不會看到它。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="93" />
        <source>Type the password you were given.</source>
        <translation>請輸入獲發的密碼。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="95" />
        <source>The password needs at least 8 characters.</source>
        <translation>密碼最少需要 8 個字元。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="97" />
        <source>The two passwords are different.</source>
        <translation>兩次輸入的密碼不同。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="99" />
        <source>Choose a password different from the one you were given.</source>
        <translation>請選擇一個與獲發密碼不同的密碼。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="111" />
        <source>Changing the password…</source>
        <translation>正在更改密碼…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/password.py" line="112" />
        <source>changing the password</source>
        <translation>更改密碼</translation>
    </message>
</context>
<context>
    <name>ChecksPanel</name>
    <message>
        <location filename="../../desktop/ui/soap.py" line="319" />
        <source>said at %1</source>
        <translation>見於 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="322" />
        <source>⚠ Contradiction: %1</source>
        <translation>⚠ 矛盾：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="330" />
        <source>Left out: %1</source>
        <translation>遺漏：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="332" />
        <source>Click to see and hear what was said</source>
        <translation>按此查看及重聽所講內容</translation>
    </message>
</context>
<context>
    <name>ConsultationHeader</name>
    <message>
        <location filename="../../desktop/ui/consultation/header.py" line="16" />
        <source>F</source>
        <translation>女</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/header.py" line="17" />
        <source>M</source>
        <translation>男</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/header.py" line="18" />
        <source>X</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/header.py" line="22" />
        <source>MRN %1</source>
        <translation>病歷號 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/header.py" line="38" />
        <source>◀ Consultations</source>
        <translation>◀ 診症列表</translation>
    </message>
</context>
<context>
    <name>ConsultationView</name>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="152" />
        <location filename="../../desktop/ui/consultation/view.py" line="288" />
        <source>Transcript</source>
        <translation>逐字稿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="167" />
        <source>Note</source>
        <translation>病歷</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="171" />
        <source>Letters</source>
        <translation>信件</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="249" />
        <source>opening the consultation</source>
        <translation>開啟診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="330" />
        <source>saving the status</source>
        <translation>儲存狀態</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="343" />
        <source>No consent to record on file.</source>
        <translation>未有錄音同意紀錄。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="403" />
        <source>Signed by %1 on %2. Read-only; a change starts a new version.</source>
        <translation>由 %1 於 %2 簽署。唯讀；修改會建立新版本。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="532" />
        <source>No speech was recognised, so there is nothing to draft yet.</source>
        <translation>未能辨識到說話，暫時未有內容可草擬。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="349" />
        <source>The note is signed. Start a new version to record more of this consultation.</source>
        <translation>病歷已簽署。請開始新版本以繼續錄音。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="289" />
        <source>Intake</source>
        <translation>預診</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="266" />
        <source>This consultation was cancelled. It is kept as it was, read-only; reopen it from the list.</source>
        <translation>此診症已取消，並按原樣保留為唯讀；如需更改，請在清單中重新開啟。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="294" />
        <source>Intake %1</source>
        <translation>預診 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="351" />
        <source>Start recording (Ctrl+R)</source>
        <translation>開始錄音 (Ctrl+R)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="378" />
        <source>Only a doctor issues this document.</source>
        <translation>此文件只可由醫生簽發。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="386" />
        <source>Type the note; Save keeps it as the first version.</source>
        <translation>請輸入病歷；儲存後成為第一個版本。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="395" />
        <source>Record the consultation or open a recording; the draft appears here when it ends. Without a recording, press Write the note by hand.</source>
        <translation>請為診症錄音或開啟錄音檔；完成後草稿會在此顯示。沒有錄音時，請按「手寫病歷」。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="421" />
        <source>You can edit the history and the instructions to the patient; the assessment and plan are the doctor's and are shown read-only.</source>
        <translation>你可編輯病史及給病人的指示；評估及計劃屬醫生負責，只供閱讀。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="440" />
        <source>This consultation's note is signed.</source>
        <translation>此診症的病歷已簽署。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="441" />
        <source>Press New version to add to it; the recording then continues the transcript.</source>
        <translation>請按「新版本」加入內容；錄音會接續現有的文字記錄。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="448" />
        <location filename="../../desktop/ui/consultation/view.py" line="474" />
        <source>noting the recording</source>
        <translation>記錄錄音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="463" />
        <source>Open a recording</source>
        <translation>開啟錄音檔</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="465" />
        <source>Audio files (*.wav *.flac *.mp3 *.m4a *.ogg *.opus *.webm);;All files (*)</source>
        <translation>音訊檔 (*.wav *.flac *.mp3 *.m4a *.ogg *.opus *.webm);;所有檔案 (*)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="487" />
        <source>Consent to record</source>
        <translation>錄音同意</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="488" />
        <source>Has the patient agreed to this consultation being recorded?</source>
        <translation>病人是否同意為是次診症錄音？</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="494" />
        <source>recording the consent</source>
        <translation>記錄同意</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="512" />
        <location filename="../../desktop/ui/consultation/view.py" line="525" />
        <source>saving the transcript</source>
        <translation>儲存文字記錄</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="543" />
        <source>A new draft replaces the note in the editor. Save your edits as a version first?</source>
        <translation>新草稿會取代編輯器中的病歷。先把你的修改儲存為一個版本嗎？</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="559" />
        <source>saving the draft</source>
        <translation>儲存草稿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="568" />
        <source>AI draft. Review every statement; suggestions need your acceptance.</source>
        <translation>AI 草稿。請核對每項內容；建議須經您接受。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="570" />
        <source>%1 item(s) are not in the transcript and are flagged in red.</source>
        <translation>%1 項內容不在逐字稿中，已以紅色標示。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="583" />
        <source>Drafting was cancelled. The transcript is saved; press Draft note to try again.</source>
        <translation>已取消草擬。逐字稿已儲存；按「草擬病歷」重試。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="604" />
        <source>Editing a new version of the signed note; it must be signed again.</source>
        <translation>正在編輯已簽署病歷的新版本；須再次簽署。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="639" />
        <source>signing the note</source>
        <translation>簽署病歷</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="639" />
        <source>saving the note</source>
        <translation>儲存病歷</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="651" />
        <source>Saved as version %1.</source>
        <translation>已儲存為第 %1 版。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="696" />
        <source>reading the recording</source>
        <translation>讀取錄音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="727" />
        <source>A recording is in progress.</source>
        <translation>正在錄音。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="727" />
        <source>Stop the recording first.</source>
        <translation>請先停止錄音。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="743" />
        <source>Unsaved changes</source>
        <translation>未儲存的修改</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="729" />
        <source>Save your changes to the note before leaving?</source>
        <translation>離開前儲存病歷的修改嗎？</translation>
    </message>
</context>
<context>
    <name>ConsultationsPage</name>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="204" />
        <source>Today's consultations</source>
        <translation>今日診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="209" />
        <source>Search patient, MRN or complaint</source>
        <translation>搜尋病人、病歷號碼或主訴</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="215" />
        <source>All days</source>
        <translation>所有日子</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="217" />
        <source>New consultation</source>
        <translation>新診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="220" />
        <source>Start a new consultation (Ctrl+N)</source>
        <translation>開始新診症 (Ctrl+N)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="230" />
        <source>Time</source>
        <translation>時間</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="231" />
        <source>Patient</source>
        <translation>病人</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="232" />
        <source>MRN</source>
        <translation>病歷號碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="233" />
        <source>Chief complaint</source>
        <translation>主訴</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="234" />
        <source>Status</source>
        <translation>狀態</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="246" />
        <source>Open</source>
        <translation>開啟</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="248" />
        <location filename="../../desktop/ui/consultations.py" line="329" />
        <source>Cancel consultation…</source>
        <translation>取消診症…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="251" />
        <source>Keep it as it is, read-only (the patient left, or it was for the wrong patient)</source>
        <translation>按原樣保留為唯讀（病人已離開，或開錯病人）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="253" />
        <source>Delete…</source>
        <translation>刪除…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="255" />
        <source>Remove a consultation started by mistake</source>
        <translation>刪除誤開的診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="280" />
        <source>reading the consultations</source>
        <translation>讀取診症</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/ui/consultations.py" line="316" />
        <source>%n consultation(s)</source>
        <translation><numerusform>%n 個診症</numerusform></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="329" />
        <source>Reopen</source>
        <translation>重新開啟</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="363" />
        <source>creating the consultation</source>
        <translation>建立診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="377" />
        <source>reopening the consultation</source>
        <translation>重新開啟診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="383" />
        <source>Cancel consultation</source>
        <translation>取消診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="385" />
        <source>%1: the consultation is kept as it is, read-only, with everything recorded and its audit trail. Why is it cancelled?</source>
        <translation>%1：此診症會連同所有紀錄及審計軌跡按原樣保留為唯讀。取消的原因是？</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="394" />
        <source>cancelling the consultation</source>
        <translation>取消診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="406" />
        <source>Delete consultation</source>
        <translation>刪除診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="408" />
        <source>Delete the consultation of %1 started at %2?

Its recording is destroyed and its transcript and draft notes are removed; this cannot be undone. The audit log keeps a record that it existed. A signed note or a document made is never deleted: cancel such a consultation instead.</source>
        <translation>刪除 %1 於 %2 開始的診症？

其錄音會被銷毀，文字紀錄及筆記草稿會被刪除，且無法復原。審計紀錄會保留此診症曾經存在的紀錄。已簽署的筆記或已製作的文件永不刪除：請改為取消該診症。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="421" />
        <source>deleting the consultation</source>
        <translation>刪除診症</translation>
    </message>
</context>
<context>
    <name>DraftPanel</name>
    <message>
        <location filename="../../desktop/ui/consultation/drafting.py" line="38" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/drafting.py" line="50" />
        <source>Loading the language model…</source>
        <translation>正在載入語言模型…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/drafting.py" line="50" />
        <source>Drafting the note…</source>
        <translation>正在草擬病歷…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/drafting.py" line="59" />
        <source>drafting the note</source>
        <translation>草擬病歷</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/drafting.py" line="64" />
        <source>Drafting…</source>
        <translation>草擬中…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/drafting.py" line="77" />
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/drafting.py" line="82" />
        <source>Drafting: %1</source>
        <translation>草擬中：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/drafting.py" line="83" />
        <source>Chief complaint</source>
        <translation>主訴</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../desktop/ui/common.py" line="91" />
        <source>ConsultScribe</source>
        <translation>ConsultScribe 診症助手</translation>
    </message>
</context>
<context>
    <name>Intake</name>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="40" />
        <source>1 critical</source>
        <translation>1 危急</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="41" />
        <source>2 urgent</source>
        <translation>2 緊急</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="42" />
        <source>3 non-urgent</source>
        <translation>3 非緊急</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="49" />
        <source>code given</source>
        <translation>已發編號</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="50" />
        <source>answering</source>
        <translation>作答中</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="51" />
        <source>summary confirmed</source>
        <translation>摘要已確認</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="52" />
        <source>closed</source>
        <translation>已關閉</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="53" />
        <source>code expired</source>
        <translation>編號已過期</translation>
    </message>
</context>
<context>
    <name>IntakeCodeDialog</name>
    <message>
        <location filename="../../desktop/ui/intake/codes.py" line="41" />
        <location filename="../../desktop/ui/intake/codes.py" line="43" />
        <source>Patient code %1</source>
        <translation>病人編號 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/codes.py" line="62" />
        <source>Scan with the phone's camera, or open %1 and type the code. Valid until %2, once only.</source>
        <translation>用手機相機掃描，或開啟 %1 並輸入編號。有效至 %2，只可使用一次。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/codes.py" line="70" />
        <source>Print…</source>
        <translation>列印…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/codes.py" line="72" />
        <source>Save as PDF…</source>
        <translation>另存為 PDF…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/codes.py" line="74" />
        <source>Close</source>
        <translation>關閉</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/codes.py" line="102" />
        <source>Save the patient code</source>
        <translation>儲存病人編號</translation>
    </message>
</context>
<context>
    <name>IntakeMonitor</name>
    <message>
        <location filename="../../desktop/ui/intake/monitor.py" line="66" />
        <source>reading the intake queue</source>
        <translation>讀取預診輪候名單</translation>
    </message>
</context>
<context>
    <name>IntakeQueuePanel</name>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="119" />
        <source>Intake queue (today)</source>
        <translation>預診輪候名單（今日）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="130" />
        <source>No.</source>
        <translation>編號</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="131" />
        <source>Category</source>
        <translation>類別</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="132" />
        <source>Waiting</source>
        <translation>等候</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="133" />
        <source>Status</source>
        <translation>狀態</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="134" />
        <source>What the patient said</source>
        <translation>病人所述</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="135" />
        <source>Triage reason</source>
        <translation>分流原因</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="149" />
        <source>New patient code…</source>
        <translation>新病人編號…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="151" />
        <source>New code for this patient</source>
        <translation>為此病人發新編號</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="153" />
        <source>Change category…</source>
        <translation>更改類別…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="155" />
        <source>Close intake</source>
        <translation>關閉預診</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="157" />
        <location filename="../../desktop/ui/intake/queue.py" line="229" />
        <source>Start consultation</source>
        <translation>開始診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="189" />
        <source>%1 min</source>
        <translation>%1 分鐘</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="190" />
        <source>in a consultation</source>
        <translation>已開始診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="206" />
        <source>No intakes yet today.</source>
        <translation>今日暫未有預診。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="227" />
        <source>Open consultation</source>
        <translation>開啟診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="247" />
        <source>making a patient code</source>
        <translation>製作病人編號</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="256" />
        <source>making a new code</source>
        <translation>製作新編號</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="279" />
        <source>changing the category</source>
        <translation>更改類別</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="286" />
        <source>closing the intake</source>
        <translation>關閉預診</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/queue.py" line="293" />
        <source>linking the intake</source>
        <translation>連結預診</translation>
    </message>
</context>
<context>
    <name>IntakeTab</name>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="59" />
        <location filename="../../desktop/ui/intake/summary.py" line="167" />
        <source>No intake for this consultation.</source>
        <translation>此診症沒有預診。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="74" />
        <source>Link</source>
        <translation>連結</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="76" />
        <source>Give the patient a code…</source>
        <translation>給病人發編號…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="78" />
        <source>Today's intake:</source>
        <translation>今日預診：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="85" />
        <location filename="../../desktop/ui/intake/summary.py" line="186" />
        <source>Summary the patient confirmed</source>
        <translation>病人已確認的摘要</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="86" />
        <source>Copy</source>
        <translation>複製</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="88" />
        <source>Put the summary on the clipboard</source>
        <translation>將摘要複製到剪貼簿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="96" />
        <source>The note's statements may cite these lines (the patient's words before the visit)</source>
        <translation>筆記中的句子可引用這些行（病人在診症前的說話）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="99" />
        <source>Chat before the visit</source>
        <translation>診症前的對話</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="118" />
        <source>reading the intake</source>
        <translation>讀取預診</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="138" />
        <source>linking the intake</source>
        <translation>連結預診</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="145" />
        <source>making a patient code</source>
        <translation>製作病人編號</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="170" />
        <source>Summary for Patient Code %1</source>
        <translation>病人編號 %1 的摘要</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="172" />
        <source>Category %1</source>
        <translation>類別 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="175" />
        <source>rules</source>
        <translation>規則</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="175" />
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="175" />
        <source>nurse</source>
        <translation>護士</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="188" />
        <source>Not confirmed yet: the answers so far</source>
        <translation>尚未確認：目前的回答</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="207" />
        <source>Patient</source>
        <translation>病人</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/intake/summary.py" line="209" />
        <source>Intake</source>
        <translation>預診</translation>
    </message>
</context>
<context>
    <name>KeyringTab</name>
    <message>
        <location filename="../../desktop/ui/signin.py" line="455" />
        <source>On a computer only you use, you can sign in without typing your password: your account's key is then kept in this computer's system keyring (Windows Credential Manager, macOS Keychain or the desktop keyring). Anyone who can use your computer account can then open ConsultScribe as you, so never turn this on for a shared PC. Unlocking after the idle lock still asks for your password.</source>
        <translation>在只有你使用的電腦上，可以不輸入密碼登入：你帳戶的金鑰會存放在本電腦的系統鑰匙圈（Windows 認證管理員、macOS 鑰匙圈或桌面鑰匙圈）。任何能使用你電腦帳戶的人都能以你的身分開啟 ConsultScribe，因此切勿在共用電腦上開啟此功能。閒置鎖定後解鎖仍需輸入密碼。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="472" />
        <source>Your password</source>
        <translation>你的密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="475" />
        <source>Turn on for this computer</source>
        <translation>在本電腦開啟</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="477" />
        <source>Turn off</source>
        <translation>關閉</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="497" />
        <source>Keyring sign-in is on for this computer.</source>
        <translation>本電腦已開啟鑰匙圈登入。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="499" />
        <source>Keyring sign-in is off: you sign in with your password.</source>
        <translation>鑰匙圈登入已關閉：請以密碼登入。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="507" />
        <source>Type your password to confirm it is you.</source>
        <translation>請輸入密碼以確認身分。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="516" />
        <source>Checking…</source>
        <translation>正在核對…</translation>
    </message>
</context>
<context>
    <name>LettersPanel</name>
    <message>
        <location filename="../../desktop/ui/letters.py" line="157" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="169" />
        <source>Click a document above to generate it from the note.</source>
        <translation>按上方文件，即可根據病歷生成。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="176" />
        <source>Form's default</source>
        <translation>表格預設</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="177" />
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="178" />
        <source>Chinese (Traditional)</source>
        <translation>中文（繁體）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="179" />
        <source>Bilingual</source>
        <translation>中英對照</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="181" />
        <source>Save edits</source>
        <translation>儲存修改</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="182" />
        <source>Print…</source>
        <translation>列印…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="183" />
        <source>Export PDF…</source>
        <translation>匯出 PDF…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="184" />
        <source>Export DOCX…</source>
        <translation>匯出 DOCX…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="185" />
        <source>Copy</source>
        <translation>複製</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="194" />
        <source>Language</source>
        <translation>語言</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="248" />
        <source>v%1</source>
        <translation>第 %1 版</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="303" />
        <source>preparing the document</source>
        <translation>準備文件</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="378" />
        <source>Export</source>
        <translation>匯出</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="399" />
        <source>The file could not be written: %1</source>
        <translation>無法寫入檔案：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/letters.py" line="400" />
        <source>Choose another folder or free some disk space.</source>
        <translation>請選擇其他資料夾或騰出磁碟空間。</translation>
    </message>
</context>
<context>
    <name>LockPage</name>
    <message>
        <location filename="../../desktop/ui/signin.py" line="190" />
        <source>ConsultScribe is locked</source>
        <translation>ConsultScribe 已鎖定</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="193" />
        <source>A recording is in progress and continues while locked.</source>
        <translation>錄音進行中，鎖定期間會繼續錄音。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="202" />
        <source>Unlock</source>
        <translation>解鎖</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="205" />
        <source>Sign out</source>
        <translation>登出</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="209" />
        <source>Password</source>
        <translation>密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="229" />
        <source>Signed in as %1 (%2).</source>
        <translation>已登入：%1（%2）。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="242" />
        <source>Checking…</source>
        <translation>正在核對…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="243" />
        <source>checking the password</source>
        <translation>核對密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="250" />
        <source>That password is not right. Try again.</source>
        <translation>密碼不正確，請再試。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main.py" line="127" />
        <source>ConsultScribe</source>
        <translation>ConsultScribe 診症助手</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="177" />
        <source>&amp;ConsultScribe</source>
        <translation>&amp;ConsultScribe</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="178" />
        <source>Settings…</source>
        <translation>設定…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="181" />
        <source>Administration…</source>
        <translation>系統管理…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="183" />
        <source>Lock</source>
        <translation>鎖定</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="186" />
        <source>Sign out</source>
        <translation>登出</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="188" />
        <source>Quit</source>
        <translation>結束</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="195" />
        <source>&amp;Help</source>
        <translation>說明(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="196" />
        <source>About ConsultScribe…</source>
        <translation>關於 ConsultScribe…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="231" />
        <source>signing in</source>
        <translation>登入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="277" />
        <source>Loading the speech model in the background; a recording started now begins when it is ready.</source>
        <translation>正在背景載入語音模型；現在開始的錄音會在模型就緒後開始。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="284" />
        <source>loading the speech model</source>
        <translation>載入語音模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="286" />
        <source>The speech model is ready.</source>
        <translation>語音模型已就緒。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="294" />
        <source>reading the clinic policy</source>
        <translation>讀取診所政策</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="308" />
        <location filename="../../desktop/ui/main.py" line="464" />
        <source>saving the clinic policy</source>
        <translation>儲存診所政策</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="317" />
        <location filename="../../desktop/ui/main.py" line="370" />
        <location filename="../../desktop/ui/main.py" line="497" />
        <source>A recording is in progress.</source>
        <translation>正在錄音。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="318" />
        <source>Stop the recording before signing out.</source>
        <translation>登出前請先停止錄音。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="361" />
        <source>writing the audit log</source>
        <translation>寫入審計記錄</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="370" />
        <source>Stop it before opening another.</source>
        <translation>開啟另一個診症前請先停止錄音。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="414" />
        <source>acknowledging the alert</source>
        <translation>確認警報</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="456" />
        <source>The new language applies when ConsultScribe is started again.</source>
        <translation>新語言會在重新啟動 ConsultScribe 後生效。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="497" />
        <source>Stop the recording before quitting.</source>
        <translation>結束前請先停止錄音。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main.py" line="503" />
        <source>Save your changes to the note before quitting?</source>
        <translation>結束前要儲存病歷的修改嗎？</translation>
    </message>
</context>
<context>
    <name>ModelsTab</name>
    <message>
        <location filename="../../desktop/ui/models.py" line="40" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="40" />
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="40" />
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="40" />
        <source>Licence</source>
        <translation>授權</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="40" />
        <source>State</source>
        <translation>狀態</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="48" />
        <source>Verify</source>
        <translation>驗證</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="50" />
        <source>Check every file of the selected model against its SHA-256</source>
        <translation>以 SHA-256 核對所選模型的每個檔案</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="51" />
        <source>Add a model…</source>
        <translation>加入模型…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="54" />
        <source>Install a Whisper (CTranslate2) folder or a llama.cpp .gguf file</source>
        <translation>安裝 Whisper (CTranslate2) 資料夾或 llama.cpp .gguf 檔案</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="78" />
        <source>ready</source>
        <translation>可用</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="122" />
        <source>verifying the model</source>
        <translation>驗證模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="129" />
        <source>%1 is damaged: %2. Add it again from the installer or the clinic's copy.</source>
        <translation>%1 已損壞：%2。請從安裝程式或診所的副本重新加入。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="135" />
        <source>%1: every file matches its SHA-256.</source>
        <translation>%1：每個檔案都與 SHA-256 相符。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="140" />
        <source>Add a model</source>
        <translation>加入模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="140" />
        <source>Language model (*.gguf);;All files (*)</source>
        <translation>語言模型 (*.gguf);;所有檔案 (*)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="149" />
        <source>adding the model</source>
        <translation>加入模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="152" />
        <source>%1 was added; choose it under Language model or Speech.</source>
        <translation>已加入 %1；請在「語言模型」或「語音」中選用。</translation>
    </message>
</context>
<context>
    <name>NewConsultationDialog</name>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="66" />
        <source>New consultation</source>
        <translation>新診症</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="77" />
        <source>Different patient</source>
        <translation>另一位病人</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="90" />
        <source>YYYY-MM-DD</source>
        <translation>年年年年-月月-日日</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="94" />
        <source>(from date of birth)</source>
        <translation>（按出生日期計算）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="101" />
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="102" />
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="103" />
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="110" />
        <source>The patient agrees to this consultation being recorded.</source>
        <translation>病人同意錄下是次診症。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="114" />
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="115" />
        <source>Chinese name</source>
        <translation>中文姓名</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="116" />
        <source>Date of birth</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="117" />
        <source>Age</source>
        <translation>年齡</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="118" />
        <source>Sex</source>
        <translation>性別</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="119" />
        <source>MRN</source>
        <translation>病歷號碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="120" />
        <source>Chief complaint</source>
        <translation>主訴</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="126" />
        <source>Create</source>
        <translation>建立</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="147" />
        <source>Patient on record: %1</source>
        <translation>已有紀錄的病人：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="161" />
        <source>Enter the patient's name.</source>
        <translation>請輸入病人姓名。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="168" />
        <source>Write the date of birth as YYYY-MM-DD, or leave it empty.</source>
        <translation>出生日期請以 YYYY-MM-DD 格式填寫，或留空。</translation>
    </message>
</context>
<context>
    <name>NoteChecking</name>
    <message>
        <location filename="../../desktop/ui/consultation/signing.py" line="97" />
        <source>checking the note</source>
        <translation>核對紀錄</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/signing.py" line="157" />
        <source>The checks of the note did not finish in time.</source>
        <translation>紀錄核對未能及時完成。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/signing.py" line="158" />
        <source>Press Sign again in a moment; nothing was lost.</source>
        <translation>請稍後再按「簽署」；資料沒有遺失。</translation>
    </message>
</context>
<context>
    <name>NoteTools</name>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="64" />
        <source>Draft note</source>
        <translation>草擬病歷</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="66" />
        <source>Accept all suggestions</source>
        <translation>接受所有建議</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="68" />
        <source>Save</source>
        <translation>儲存</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="70" />
        <source>Save a new version (Ctrl+S)</source>
        <translation>儲存新版本 (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="71" />
        <source>Sign</source>
        <translation>簽署</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="73" />
        <source>Sign the note (Ctrl+Shift+S)</source>
        <translation>簽署病歷 (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="74" />
        <source>Change (new version)</source>
        <translation>修改（新版本）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="76" />
        <source>Versions…</source>
        <translation>版本…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="78" />
        <source>Write the note by hand</source>
        <translation>手寫病歷</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/view.py" line="80" />
        <source>No recording: type the note yourself</source>
        <translation>沒有錄音：自行輸入病歷</translation>
    </message>
</context>
<context>
    <name>PathEdit</name>
    <message>
        <location filename="../../desktop/ui/settings.py" line="113" />
        <source>Browse…</source>
        <translation>瀏覽…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="122" />
        <source>Choose a folder</source>
        <translation>選擇資料夾</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="125" />
        <source>Choose a file</source>
        <translation>選擇檔案</translation>
    </message>
</context>
<context>
    <name>PatientLookup</name>
    <message>
        <location filename="../../desktop/ui/patient_search.py" line="38" />
        <source>Find a patient seen before: name, Chinese name or MRN</source>
        <translation>尋找曾求診的病人：姓名、中文姓名或病歷號碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/patient_search.py" line="68" />
        <source>finding the patient</source>
        <translation>尋找病人</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/patient_search.py" line="85" />
        <source>No patient found: fill in the details below for a new patient.</source>
        <translation>找不到病人：請在下面填寫新病人的資料。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/patient_search.py" line="96" />
        <source>MRN %1</source>
        <translation>病歷號 %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/ui/patient_search.py" line="99" />
        <source>last seen %1 (%n visit(s))</source>
        <translation><numerusform>上次求診 %1（共 %n 次）</numerusform></translation>
    </message>
</context>
<context>
    <name>Recorder</name>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="73" />
        <location filename="../../desktop/ui/consultation/recorder.py" line="137" />
        <source>● Record</source>
        <translation>● 錄音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="75" />
        <source>Start or stop recording (Ctrl+R)</source>
        <translation>開始或停止錄音 (Ctrl+R)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="76" />
        <location filename="../../desktop/ui/consultation/recorder.py" line="237" />
        <source>Pause</source>
        <translation>暫停</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="79" />
        <source>Pause or resume (Ctrl+P)</source>
        <translation>暫停或繼續 (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="89" />
        <source>Input level</source>
        <translation>輸入音量</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="97" />
        <source>Microphone</source>
        <translation>咪高峰</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="98" />
        <source>Open a recording…</source>
        <translation>開啟錄音檔…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="101" />
        <source>Transcribe an audio file recorded earlier (WAV, FLAC, MP3, M4A, OGG)</source>
        <translation>轉錄較早前錄製的音訊檔（WAV、FLAC、MP3、M4A、OGG）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="107" />
        <source>Consent given…</source>
        <translation>已獲同意…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="109" />
        <source>Record that the patient has now agreed to the recording</source>
        <translation>記錄病人現已同意錄音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="132" />
        <source>Stop transcribing the file; what is done so far is kept</source>
        <translation>停止轉錄檔案；已完成的部分會保留</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="134" />
        <source>Stop recording (Ctrl+R)</source>
        <translation>停止錄音 (Ctrl+R)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="137" />
        <source>■ Stop</source>
        <translation>■ 停止</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="153" />
        <source> (default)</source>
        <translation>（預設）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="188" />
        <source>starting…</source>
        <translation>開始中…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="226" />
        <source>Finishing…</source>
        <translation>正在完成…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="234" />
        <source>Resume</source>
        <translation>繼續</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="245" />
        <source>Transcribing the file: %1 of %2</source>
        <translation>正在轉錄檔案：%1／%2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="259" />
        <source>Load %1%</source>
        <translation>負載 %1%</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="264" />
        <source>— cannot keep up; the transcript will lag</source>
        <translation>— 處理不及，逐字稿會延遲</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="269" />
        <source>%1 audio blocks dropped</source>
        <translation>遺失 %1 段音訊</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultation/recorder.py" line="314" />
        <source>reading the transcript ahead</source>
        <translation>預先讀取文字記錄</translation>
    </message>
</context>
<context>
    <name>ResetPasswordDialog</name>
    <message>
        <location filename="../../desktop/ui/admin.py" line="101" />
        <source>Reset password</source>
        <translation>重設密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="106" />
        <source>A new password for %1. Tell it to them in person; they choose their own at their next sign-in.</source>
        <translation>為 %1 設定新密碼。請親身告知對方；對方下次登入時須設定自己的密碼。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="116" />
        <source>New password</source>
        <translation>新密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="117" />
        <source>Repeat password</source>
        <translation>再次輸入密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="128" />
        <source>The password needs at least 8 characters.</source>
        <translation>密碼最少需要 8 個字元。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="130" />
        <source>The two passwords are different.</source>
        <translation>兩次輸入的密碼不同。</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <location filename="../../desktop/ui/admin.py" line="38" />
        <source>doctor</source>
        <translation>醫生</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="39" />
        <source>nurse</source>
        <translation>護士</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/admin.py" line="40" />
        <source>administrator</source>
        <translation>管理員</translation>
    </message>
</context>
<context>
    <name>SectionEditor</name>
    <message>
        <location filename="../../desktop/ui/soap.py" line="228" />
        <source>(nothing recorded)</source>
        <translation>（未有紀錄）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="231" />
        <source>Add statement</source>
        <translation>新增內容</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="236" />
        <location filename="../../desktop/ui/soap.py" line="242" />
        <source>Suggestions for the doctor to review; not accepted yet.</source>
        <translation>供醫生審閱的建議；尚未接受。</translation>
    </message>
</context>
<context>
    <name>SectionForm</name>
    <message>
        <location filename="../../desktop/ui/settings.py" line="165" />
        <source>Only an administrator can change these settings.</source>
        <translation>只有管理員可更改這些設定。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="206" />
        <source>(locked by clinic policy)</source>
        <translation>（已被診所政策鎖定）</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <location filename="../../desktop/ui/settings.py" line="136" />
        <source>Speech</source>
        <translation>語音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="67" />
        <location filename="../../desktop/ui/settings.py" line="137" />
        <source>Language model</source>
        <translation>語言模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="138" />
        <source>Letterhead and templates</source>
        <translation>信頭及範本</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="139" />
        <source>Policy</source>
        <translation>政策</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="91" />
        <location filename="../../desktop/ui/settings.py" line="140" />
        <source>Microphone</source>
        <translation>咪高峰</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="59" />
        <source>Speech model</source>
        <translation>語音模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="60" />
        <source>Run speech recognition on</source>
        <translation>語音辨識運行於</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="61" />
        <source>Number format</source>
        <translation>數值格式</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="62" />
        <location filename="../../desktop/ui/settings.py" line="70" />
        <source>Processor threads</source>
        <translation>處理器執行緒</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="63" />
        <source>Search width (files)</source>
        <translation>搜尋寬度（檔案）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="64" />
        <source>Spoken language</source>
        <translation>說話語言</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="65" />
        <source>Chinese characters</source>
        <translation>中文字體</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="66" />
        <source>Clinic word list</source>
        <translation>診所詞彙表</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="68" />
        <source>Layers on the graphics card</source>
        <translation>顯示卡上的層數</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="69" />
        <source>Context size (tokens)</source>
        <translation>上下文長度（詞元）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="71" />
        <source>Longest answer (tokens)</source>
        <translation>最長回答（詞元）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="72" />
        <source>Creativity (temperature)</source>
        <translation>創意度（溫度）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="73" />
        <source>Read ahead while recording (seconds)</source>
        <translation>錄音時預先讀取（秒）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="74" />
        <source>Clinic name</source>
        <translation>診所名稱</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="75" />
        <source>Clinic name (Chinese)</source>
        <translation>診所中文名稱</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="76" />
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="77" />
        <source>Telephone</source>
        <translation>電話</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="78" />
        <source>Logo</source>
        <translation>標誌</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="79" />
        <source>Doctor (command line only)</source>
        <translation>醫生（只限命令列）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="80" />
        <source>Registration no. (command line only)</source>
        <translation>註冊編號（只限命令列）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="83" />
        <source>Clinic's own templates</source>
        <translation>診所自訂範本</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="84" />
        <source>Records folder</source>
        <translation>紀錄資料夾</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="85" />
        <source>Keep recordings (days)</source>
        <translation>錄音保留（日）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="86" />
        <source>Lock after idle (minutes)</source>
        <translation>閒置後鎖定（分鐘）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="87" />
        <source>Allow sign-in from the system keyring</source>
        <translation>容許以系統鑰匙圈登入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="90" />
        <source>Nurses may record</source>
        <translation>護士可錄音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="92" />
        <source>Lapel microphone channel</source>
        <translation>襟夾咪聲道</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="93" />
        <source>Language of the app</source>
        <translation>程式語言</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="94" />
        <source>Patient intake service</source>
        <translation>病人預先登記服務</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="95" />
        <source>Listen on address</source>
        <translation>監聽位址</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="96" />
        <source>Port</source>
        <translation>連接埠</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="97" />
        <source>Certificate</source>
        <translation>證書</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="98" />
        <source>Certificate key</source>
        <translation>證書金鑰</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="99" />
        <source>Address for patients' phones</source>
        <translation>病人手機使用的網址</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="100" />
        <source>Patient code valid for (minutes)</source>
        <translation>病人代碼有效時間（分鐘）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="141" />
        <source>Display</source>
        <translation>顯示</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="142" />
        <source>Patient intake</source>
        <translation>病人預先登記</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="298" />
        <source>automatic</source>
        <translation>自動</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="299" />
        <source>Cantonese</source>
        <translation>廣東話</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="300" />
        <source>Mandarin</source>
        <translation>普通話</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="301" />
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="304" />
        <source>Traditional (Hong Kong)</source>
        <translation>繁體（香港）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="305" />
        <source>Traditional (Taiwan)</source>
        <translation>繁體（台灣）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="306" />
        <source>Simplified</source>
        <translation>簡體</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="316" />
        <source>system</source>
        <translation>跟隨系統</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="331" />
        <source>none (one microphone)</source>
        <translation>無（單一咪高峰）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="332" />
        <source>left channel</source>
        <translation>左聲道</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="333" />
        <source>right channel</source>
        <translation>右聲道</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="337" />
        <source>system default</source>
        <translation>系統預設</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/ui/settings.py" line="250" />
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="276" />
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="280" />
        <source>My voice</source>
        <translation>我的聲音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings.py" line="284" />
        <source>This computer</source>
        <translation>本電腦</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <location filename="../../desktop/ui/signin.py" line="378" />
        <source>Set up ConsultScribe</source>
        <translation>設定 ConsultScribe</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="381" />
        <source>Welcome</source>
        <translation>歡迎</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="385" />
        <source>ConsultScribe keeps its records in an encrypted store on this computer. Nothing is sent over the network.

Store location:</source>
        <translation>ConsultScribe 將紀錄儲存在本電腦的加密資料庫，不會經網絡傳送任何資料。

資料庫位置：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="419" />
        <source>Creating the encrypted store… this takes a few seconds.</source>
        <translation>正在建立加密紀錄庫…需時數秒。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="423" />
        <source>creating the encrypted store</source>
        <translation>建立加密紀錄庫</translation>
    </message>
</context>
<context>
    <name>SignInPage</name>
    <message>
        <location filename="../../desktop/ui/signin.py" line="77" />
        <source>ConsultScribe</source>
        <translation>ConsultScribe 診症助手</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="78" />
        <source>Sign in to open today's consultations.</source>
        <translation>登入以開啟今日診症。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="88" />
        <source>Sign in</source>
        <translation>登入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="92" />
        <source>Sign in with this computer's keyring</source>
        <translation>以本電腦的鑰匙圈登入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="97" />
        <source>User name</source>
        <translation>用戶名稱</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="98" />
        <source>Password</source>
        <translation>密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="130" />
        <location filename="../../desktop/ui/signin.py" line="146" />
        <source>signing in</source>
        <translation>登入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="143" />
        <source>Enter your user name and password.</source>
        <translation>請輸入用戶名稱及密碼。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="129" />
        <location filename="../../desktop/ui/signin.py" line="145" />
        <source>Signing in…</source>
        <translation>正在登入…</translation>
    </message>
</context>
<context>
    <name>SignOff</name>
    <message>
        <location filename="../../desktop/ui/consultation/signing.py" line="220" />
        <source>Checking…</source>
        <translation>正在核對…</translation>
    </message>
</context>
<context>
    <name>SignOffDialog</name>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="135" />
        <source>Before you sign</source>
        <translation>簽署前</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="139" />
        <source>%1 item(s) are still open, %2 of them red. Fix each in the note, or acknowledge it here with a reason.</source>
        <translation>尚有 %1 項未處理，其中 %2 項為紅色。請逐項在紀錄中修正，或在此確認並註明原因。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="157" />
        <source>Back to the note</source>
        <translation>返回紀錄</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="159" />
        <source>Sign</source>
        <translation>簽署</translation>
    </message>
</context>
<context>
    <name>Soap</name>
    <message>
        <location filename="../../desktop/ui/soap.py" line="43" />
        <source>taking</source>
        <translation>正在服用</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="44" />
        <source>started</source>
        <translation>開始服用</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="45" />
        <source>changed</source>
        <translation>已更改</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="46" />
        <source>stopped</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="47" />
        <source>allergy</source>
        <translation>過敏</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="54" />
        <source>Subjective</source>
        <translation>主觀資料</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="55" />
        <source>Medications and allergies</source>
        <translation>藥物及過敏</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="56" />
        <source>Objective</source>
        <translation>客觀檢查</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="57" />
        <source>Suggested assessment</source>
        <translation>建議評估</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="58" />
        <source>Suggested plan</source>
        <translation>建議計劃</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="59" />
        <source>Instructions to the patient</source>
        <translation>給病人的指示</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="62" />
        <source>Assessment</source>
        <translation>評估</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="63" />
        <source>Plan</source>
        <translation>計劃</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="560" />
        <source>AI draft</source>
        <translation>AI 草稿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="561" />
        <source>edited</source>
        <translation>已修改</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="562" />
        <source>signed</source>
        <translation>已簽署</translation>
    </message>
</context>
<context>
    <name>SoapEditor</name>
    <message>
        <location filename="../../desktop/ui/soap.py" line="386" />
        <location filename="../../desktop/ui/soap.py" line="501" />
        <source>Chief complaint</source>
        <translation>主訴</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="390" />
        <source>as typed</source>
        <translation>按輸入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="392" />
        <source>The chief complaint the user typed, kept as it was typed.</source>
        <translation>使用者輸入的主訴，按原樣保留。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="442" />
        <source>Quoted from the transcript (the speakers' own words): %1.</source>
        <translation>引自逐字稿（說話者的原話）：%1。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="493" />
        <source>Drafting…</source>
        <translation>草擬中…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="502" />
        <source>Drafting: %1…</source>
        <translation>草擬中：%1…</translation>
    </message>
</context>
<context>
    <name>Speakers</name>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="46" />
        <source>Doctor</source>
        <translation>醫生</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="47" />
        <source>Patient</source>
        <translation>病人</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="48" />
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="49" />
        <source>Speaker</source>
        <translation>說話者</translation>
    </message>
</context>
<context>
    <name>StatementRow</name>
    <message>
        <location filename="../../desktop/ui/soap.py" line="130" />
        <source>suggested</source>
        <translation>建議</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="136" />
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="141" />
        <source>Remove this statement</source>
        <translation>刪除此項</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="191" />
        <source>⚠ Not in the transcript: %1. Check before signing.</source>
        <translation>⚠ 不在逐字稿中：%1。簽署前請核對。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="204" />
        <source>as said</source>
        <translation>按原話</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="206" />
        <source>from transcript lines: %1</source>
        <translation>來自逐字稿：%1</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="50" />
        <source>new</source>
        <translation>新</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="51" />
        <source>recording</source>
        <translation>錄音中</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="52" />
        <source>recorded</source>
        <translation>已錄音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="53" />
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="54" />
        <source>signed</source>
        <translation>已簽署</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/consultations.py" line="55" />
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>TranscriptView</name>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="73" />
        <source>The transcript appears here while you record.</source>
        <translation>錄音時逐字稿會在此顯示。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="196" />
        <source>Speaker uncertain: please check who said this line.</source>
        <translation>說話者不確定：請核對這句是誰說的。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="223" />
        <source>Heard: “%1” — corrected to a drug name; right-click to undo</source>
        <translation>聽到：「%1」— 已更正為藥名；按右鍵可還原</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="229" />
        <source>The live view showed: %1</source>
        <translation>即時顯示為：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="257" />
        <source>Undo the correction (put back “%1”)</source>
        <translation>還原更正（改回「%1」）</translation>
    </message>
</context>
<context>
    <name>ValuesDialog</name>
    <message>
        <location filename="../../desktop/ui/letters.py" line="85" />
        <source>Please fill in: %1</source>
        <translation>請填寫：%1</translation>
    </message>
</context>
<context>
    <name>VersionHistoryDialog</name>
    <message>
        <location filename="../../desktop/ui/soap.py" line="573" />
        <source>Version history</source>
        <translation>版本紀錄</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="604" />
        <source>Changes compared with the AI draft:</source>
        <translation>與 AI 草稿比較的修改：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/soap.py" line="606" />
        <source>Signed by %1.</source>
        <translation>由 %1 簽署。</translation>
    </message>
</context>
<context>
    <name>VoiceTab</name>
    <message>
        <location filename="../../desktop/ui/voice.py" line="49" />
        <source>Read the text below aloud once, at your usual consulting voice, in the room where you consult. The transcript then tells your voice from the patient's more surely. The profile is kept encrypted with your account.</source>
        <translation>請在您應診的診症室，以平日應診的聲線把下面的文字讀一遍。之後文字記錄能更準確地分辨您和病人的聲音。聲音檔案會與您的帳戶一同加密保存。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="57" />
        <source>Reading in</source>
        <translation>朗讀語言</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="64" />
        <source>Microphone</source>
        <translation>咪高峰</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="100" />
        <location filename="../../desktop/ui/voice.py" line="131" />
        <source>Start recording</source>
        <translation>開始錄音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="103" />
        <source>Discard</source>
        <translation>捨棄</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="107" />
        <source>Delete my voice profile</source>
        <translation>刪除我的聲音檔案</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="130" />
        <source>No voice profile yet.</source>
        <translation>尚未錄製聲音檔案。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="135" />
        <source>Voice profile recorded {when} from {seconds:.0f} s of speech.</source>
        <translation>聲音檔案已於 {when} 錄製，共 {seconds:.0f} 秒語音。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="139" />
        <source>Record again</source>
        <translation>重新錄製</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="172" />
        <source>Stop and save</source>
        <translation>停止並儲存</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="175" />
        <source>Recording: read the text aloud, then press Stop and save.</source>
        <translation>錄音中：請朗讀文字，然後按「停止並儲存」。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="182" />
        <source>Making your voice profile…</source>
        <translation>正在建立您的聲音檔案…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="200" />
        <source>Delete voice profile</source>
        <translation>刪除聲音檔案</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="201" />
        <source>Delete your voice profile? Speakers are then told apart without it.</source>
        <translation>刪除您的聲音檔案？之後會在沒有它的情況下分辨說話者。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/voice.py" line="218" />
        <source>%1 / %2 s</source>
        <translation>%1／%2 秒</translation>
    </message>
</context>
<context>
    <name>_AdminPage</name>
    <message>
        <location filename="../../desktop/ui/signin.py" line="259" />
        <source>First administrator</source>
        <translation>首位管理員</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="262" />
        <source>This account manages users and clinic policy. It cannot read clinical notes unless it also has a clinician account.</source>
        <translation>此帳戶管理用戶及診所政策；除非同時擁有臨床帳戶，否則不能閱讀病歷。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="269" />
        <source>Administrator</source>
        <translation>管理員</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="279" />
        <source>User name</source>
        <translation>用戶名稱</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="280" />
        <source>Full name</source>
        <translation>全名</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="281" />
        <source>Password</source>
        <translation>密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="282" />
        <source>Repeat password</source>
        <translation>再次輸入密碼</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="290" />
        <source>Choose a user name.</source>
        <translation>請選擇用戶名稱。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="292" />
        <source>The password needs at least 8 characters.</source>
        <translation>密碼最少需要 8 個字元。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="294" />
        <source>The two passwords are different.</source>
        <translation>兩次輸入的密碼不同。</translation>
    </message>
</context>
<context>
    <name>_ItemRow</name>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="84" />
        <source>⚠ Contradicts the consultation</source>
        <translation>⚠ 與診症內容矛盾</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="85" />
        <source>⚠ Not in the transcript</source>
        <translation>⚠ 不見於逐字稿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="86" />
        <source>Left out of the note</source>
        <translation>紀錄遺漏</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="87" />
        <source>Suggestion not accepted</source>
        <translation>建議未獲接納</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="97" />
        <source>Said at %1 in the recording</source>
        <translation>見於錄音 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="100" />
        <source>Accept as written</source>
        <translation>照寫接納</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="100" />
        <source>Acknowledge</source>
        <translation>已知悉</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signoff.py" line="105" />
        <source>Reason (required to acknowledge)</source>
        <translation>原因（確認時必填）</translation>
    </message>
</context>
<context>
    <name>_RecoveryPage</name>
    <message>
        <location filename="../../desktop/ui/signin.py" line="302" />
        <source>Recovery key</source>
        <translation>復原密鑰</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="305" />
        <source>Print or save this key and keep it in a safe place. It is the only way to open the records if every administrator password is lost.</source>
        <translation>請列印或儲存此密鑰並妥善保管。若所有管理員密碼遺失，這是開啟紀錄的唯一方法。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="319" />
        <source>Copy</source>
        <translation>複製</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="320" />
        <source>Save to file…</source>
        <translation>儲存至檔案…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="321" />
        <source>Print…</source>
        <translation>列印…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="326" />
        <source>I have printed or saved the recovery key.</source>
        <translation>我已列印或儲存復原密鑰。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="342" />
        <source>Save recovery key</source>
        <translation>儲存復原密鑰</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/signin.py" line="361" />
        <source>ConsultScribe recovery key</source>
        <translation>ConsultScribe 復原密鑰</translation>
    </message>
</context>
<context>
    <name>self.widget</name>
    <message>
        <location filename="../../desktop/ui/consultation/documents.py" line="129" />
        <source>saving the document</source>
        <translation>儲存文件</translation>
    </message>
</context>
</TS>