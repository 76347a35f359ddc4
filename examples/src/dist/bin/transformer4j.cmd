@echo off
rem Runs the transformer4j command-line tool from this application directory (bin\, lib\) on Windows.
rem Uses %JAVA_HOME%\bin\java.exe (a JDK 25 or newer), else the java on the PATH; extra JVM flags go in
rem TRANSFORMER4J_JAVA_OPTS. "transformer4j --main CLASS [ARGS]" runs one of the example programs instead.
setlocal
set "T4J_HOME=%~dp0.."
set "T4J_JAVA=java"
if defined JAVA_HOME set "T4J_JAVA=%JAVA_HOME%\bin\java.exe"
if not defined TF_CPP_MIN_LOG_LEVEL set "TF_CPP_MIN_LOG_LEVEL=2"
set "T4J_MAIN=org.transformer4j.cli.Transformer4jCli"
if "%~1"=="--main" (
  set "T4J_MAIN=%~2"
  shift
  shift
)
set T4J_ARGS=
:collect
if "%~1"=="" goto run
set T4J_ARGS=%T4J_ARGS% %1
shift
goto collect
:run
rem Memory defaults as in bin/transformer4j (see there why): the serial collector unless TRANSFORMER4J_JAVA_OPTS
rem names a collector, a heap that starts at 64 MB, a young generation of at most 256 MB, a maximum of 75% of RAM;
rem TRANSFORMER4J_JAVA_OPTS comes later on the command line, so its -Xms, -Xmn or -Xmx wins.
set "T4J_MEMORY=-Xms64m -XX:MaxNewSize=256m -XX:MaxRAMPercentage=75"
echo "%TRANSFORMER4J_JAVA_OPTS%" | findstr /R /C:"-XX:+Use[A-Za-z0-9]*GC" >nul || set "T4J_MEMORY=-XX:+UseSerialGC %T4J_MEMORY%"
rem Loop strip mining as G1 has it (see bin/transformer4j why: with the serial collector and AVX2 the cpu backend's
rem sgemm runs well below its speed without it) unless TRANSFORMER4J_JAVA_OPTS sets it.
set "T4J_JIT=-XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000"
echo "%TRANSFORMER4J_JAVA_OPTS%" | findstr /C:"LoopStripMiningIter" /C:"UseCountedLoopSafepoints" >nul && set "T4J_JIT="
rem -Xss4m: thread stacks of 4 MB instead of the default 1 MB (serving the GPT-2-small ONNX export crashed with the
rem default stack); a -Xss in TRANSFORMER4J_JAVA_OPTS comes later and wins.
"%T4J_JAVA%" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED %T4J_MEMORY% %T4J_JIT% -Xss4m %TRANSFORMER4J_JAVA_OPTS% -cp "%T4J_HOME%\lib\*" %T4J_MAIN%%T4J_ARGS%
