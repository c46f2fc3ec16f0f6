{{/*
Chart name, shortened to 63 characters (the DNS label limit of Kubernetes names and label values).
*/}}
{{- define "hello-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of every object: <release>-<chart>, or the release name when it already contains the chart name.
*/}}
{{- define "hello-service.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart label value: name-version, "+" is not allowed in label values.
*/}}
{{- define "hello-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Git commit for the audit label: the value, else the annotation the publish workflow stamps into Chart.yaml.
*/}}
{{- define "hello-service.gitCommit" -}}
{{- .Values.audit.gitCommit | default (index (.Chart.Annotations | default dict) "gitops.platform/git-commit") | default "unknown" | trunc 63 }}
{{- end }}

{{/*
Selector labels: stable for the life of a release (Deployment selectors are immutable).
*/}}
{{- define "hello-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hello-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels on every object: the Kubernetes recommended labels plus the platform's audit labels.
*/}}
{{- define "hello-service.labels" -}}
helm.sh/chart: {{ include "hello-service.chart" . }}
{{ include "hello-service.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/component: server
app.kubernetes.io/part-of: gitops-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
gitops.platform/owner: {{ .Values.audit.owner | quote }}
gitops.platform/stack: {{ .Values.audit.environment | quote }}
gitops.platform/project: {{ .Values.audit.project | quote }}
gitops.platform/git-commit: {{ include "hello-service.gitCommit" . | quote }}
{{- end }}

{{/*
ServiceAccount the pods run as.
*/}}
{{- define "hello-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hello-service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: always an exact tag, plus the digest when one is given.
*/}}
{{- define "hello-service.image" -}}
{{- $ref := printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- if .Values.image.digest }}
{{- $ref = printf "%s@%s" $ref .Values.image.digest }}
{{- end }}
{{- $ref }}
{{- end }}
